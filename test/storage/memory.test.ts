import { createMemoryStore } from "../../src/runtime/storage/memory";
import { describeStoreContract } from "./contract";

describeStoreContract("memory", async () => createMemoryStore());
