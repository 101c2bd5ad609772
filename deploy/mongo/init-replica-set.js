// Turns the compose file's single mongod into a one-member replica set (transactions, which
// the outbox relies on, need one) and waits until it is primary. Run by the `mongo-init`
// service with mongosh; safe to run again: an initiated replica set is left as it is.
const replicaSet = process.env.MONGO_REPLICA_SET || "rs0";
const host = process.env.MONGO_REPLICA_SET_HOST || "mongodb:27017";

try {
  const status = rs.status();
  print(`replica set ${status.set} is already initiated`);
} catch (error) {
  if (error.codeName !== "NotYetInitialized") {
    throw error;
  }
  rs.initiate({ _id: replicaSet, members: [{ _id: 0, host: host }] });
  print(`initiated replica set ${replicaSet} with member ${host}`);
}

const deadline = Date.now() + 60 * 1000;
while (!db.hello().isWritablePrimary) {
  if (Date.now() > deadline) {
    throw new Error(`no primary in replica set ${replicaSet} after 60 s`);
  }
  sleep(500);
}
print(`replica set ${replicaSet} has a primary`);
