// Starts the npm @firestore-emulator/server on 127.0.0.1:PORT for benchmarks/firestore.py.
// FirestoreServer.start() binds 0.0.0.0; we bind its gRPC server to loopback only.
const { ServerCredentials } = require("@grpc/grpc-js");
const { FirestoreServer } = require("@firestore-emulator/server");

const port = Number(process.argv[2]);
const emulator = new FirestoreServer();
emulator.server.bindAsync(`127.0.0.1:${port}`, ServerCredentials.createInsecure(), (error) => {
  if (error) {
    console.error(error);
    process.exit(1);
  }
  console.log(`ready on 127.0.0.1:${port}`);
});
process.on("SIGTERM", () => {
  emulator.stop();
  process.exit(0);
});
