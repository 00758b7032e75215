// Evaluates Realtime Database rule cases with targaryen, the offline reference evaluator.
// stdin: {"rulesets": {name: rules}, "data": {...}, "now": ms, "cases": [
//   {"ruleset": name, "auth": {...}|null, "op": "read"|"query"|"write"|"update",
//    "path": "/a", "value": any (for "query": {orderByChild: "x", limitToFirst: 3...})}]}
// stdout: one JSON array with {"allowed": bool} or {"error": text} per case.
import targaryen from 'targaryen';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const input = JSON.parse(Buffer.concat(chunks).toString('utf8'));

const databases = {};
for (const [name, rules] of Object.entries(input.rulesets)) {
  databases[name] = targaryen.database(rules, input.data, input.now);
}

const results = input.cases.map((item) => {
  try {
    const database = databases[item.ruleset].as(item.auth);
    let result;
    if (item.op === 'read') {
      result = database.read(item.path, { now: input.now });
    } else if (item.op === 'query') {
      result = database.read(item.path, { now: input.now, query: item.value });
    } else if (item.op === 'write') {
      result = database.write(item.path, item.value, { now: input.now });
    } else if (item.op === 'update') {
      result = database.update(item.path, item.value, input.now);
    } else {
      throw new Error(`unknown op ${item.op}`);
    }
    return { allowed: result.allowed };
  } catch (error) {
    return { error: String(error && error.message ? error.message : error) };
  }
});
console.log(JSON.stringify(results));
