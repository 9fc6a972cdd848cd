import { dotdo } from "./index";

export default dotdo.rollup;
