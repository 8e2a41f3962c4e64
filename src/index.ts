/** Runnel's Worker entry: the router, and the Durable Object classes it binds. */
import { app } from "./router/app";

export { Controller } from "./controller/controller";
export { PartitionReplica } from "./partition/partition-replica";

export default app;
