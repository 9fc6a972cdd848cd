// Runs the dotdo CLI from source (through jiti), as `bin/dotdo.mjs` runs it from dist.
import { runCli } from "../../../src/cli/index";

await runCli(process.argv.slice(2));
