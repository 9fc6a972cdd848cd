#!/usr/bin/env node
import { runCli } from "../dist/cli/index.mjs";

await runCli();
