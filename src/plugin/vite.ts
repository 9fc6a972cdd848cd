import { dotdo } from "./index";

/** `plugins: [dotdo({ preset })]` in vite.config.ts. */
export default dotdo.vite;
