// avsc publishes typings only for its Node entry; these are the two browser-safe modules we use.
declare module "avsc/etc/browser/avsc-types.js" {
  import type { Type } from "avsc";

  const avsc: { Type: typeof Type };
  export default avsc;
}

declare module "avsc/lib/utils.js" {
  const utils: { newBuffer(size: number): Uint8Array };
  export default utils;
}
