// Scenarios that drive the Firebase JS SDK (firebase/database v12) against our Realtime
// Database emulator. Usage: node rtdb_scenarios.mjs <scenario> '<json args>'
// Environment: RTDB_HOST (127.0.0.1:port) and RTDB_NS (namespace). Each scenario prints
// one JSON line with its observations on stdout (the last line); pytest asserts on it.
import { initializeApp } from 'firebase/app';
import {
  getDatabase, connectDatabaseEmulator, ref, set, update, get, push, remove,
  onValue, onChildAdded, runTransaction, query, orderByChild, orderByKey,
  orderByValue, orderByPriority, startAt, startAfter, endAt, endBefore, equalTo,
  limitToFirst, limitToLast, onDisconnect, serverTimestamp, increment, goOffline,
  setWithPriority,
} from 'firebase/database';

const [host, portText] = process.env.RTDB_HOST.split(':');
const port = Number(portText);
const namespace = process.env.RTDB_NS;
let appCount = 0;

// One app (one WebSocket connection) per identity; uid null means signed out.
function connect(uid, extraClaims = {}, token = null) {
  const app = initializeApp(
    { projectId: 'demo-flowchat', databaseURL: `http://${host}:${port}?ns=${namespace}` },
    `app-${appCount++}`,
  );
  const db = getDatabase(app);
  // a ready-made token string is passed through as it is (e.g. one that expires soon)
  const mockUserToken = token || (uid ? { user_id: uid, ...extraClaims } : null);
  const options = mockUserToken ? { mockUserToken } : {};
  connectDatabaseEmulator(db, host, port, options);
  return { app, db };
}

async function outcome(promise) {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    // writes and listens reject with code PERMISSION_DENIED, get() with the server's text
    return String(error.code || error.message).toLowerCase().replace(/ /g, '_');
  }
}

function keysOf(snapshot) {
  const keys = [];
  snapshot.forEach((item) => { keys.push(item.key); });
  return keys;
}

function firstValue(q) {
  return new Promise((resolve, reject) => {
    onValue(q, resolve, reject, { onlyOnce: true });
  });
}

// Resolves once .info/connected turns true.
function connectedOnce(db) {
  return new Promise((resolve) => {
    const unsubscribe = onValue(ref(db, '.info/connected'), (snapshot) => {
      if (snapshot.val() === true) {
        setTimeout(() => unsubscribe(), 0);
        resolve(true);
      }
    });
  });
}

function waitFor(predicate, timeoutMs = 5000) {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = () => {
      if (predicate()) return resolve(true);
      if (Date.now() - started > timeoutMs) return reject(new Error('timed out waiting'));
      setTimeout(tick, 20);
    };
    tick();
  });
}

const scenarios = {
  // Writes a presence entry with an onDisconnect, reports its key, then idles until killed.
  async 'presence-holder'({ uid, token }) {
    const { db } = connect(uid, {}, token);
    const connected = await connectedOnce(db);
    const entry = push(ref(db, `status/${uid}`));
    await onDisconnect(entry).set({ state: 'offline', lastChanged: serverTimestamp() });
    await set(entry, { state: 'online', lastChanged: serverTimestamp() });
    console.log(JSON.stringify({ ready: true, key: entry.key, connected }));
    setInterval(() => {}, 1000);
    return null;
  },

  // The rules of database.rules.json as a client sees them.
  async 'presence-rules'({ uid, other }) {
    const { db } = connect(uid);
    const own = `status/${uid}`;
    const result = {};
    result.ownValid = await outcome(set(ref(db, `${own}/c1`), { state: 'online', lastChanged: serverTimestamp() }));
    result.ownAway = await outcome(set(ref(db, `${own}/c1`), { state: 'away', lastChanged: serverTimestamp() }));
    result.otherUser = await outcome(set(ref(db, `status/${other}/c1`), { state: 'online', lastChanged: serverTimestamp() }));
    result.badState = await outcome(set(ref(db, `${own}/c2`), { state: 'busy', lastChanged: serverTimestamp() }));
    result.clientTime = await outcome(set(ref(db, `${own}/c3`), { state: 'online', lastChanged: 12345 }));
    result.extraKey = await outcome(set(ref(db, `${own}/c4`), { state: 'online', lastChanged: serverTimestamp(), admin: true }));
    result.missingState = await outcome(set(ref(db, `${own}/c5`), { lastChanged: serverTimestamp() }));
    result.multiPathTouchingOther = await outcome(update(ref(db), {
      [`${own}/c6/state`]: 'online',
      [`${own}/c6/lastChanged`]: serverTimestamp(),
      [`status/${other}/c6/state`]: 'online',
      [`status/${other}/c6/lastChanged`]: serverTimestamp(),
    }));
    result.multiPathOwn = await outcome(update(ref(db), {
      [`${own}/c7`]: { state: 'online', lastChanged: serverTimestamp() },
      [`${own}/c8`]: { state: 'away', lastChanged: serverTimestamp() },
    }));
    result.outsideStatus = await outcome(set(ref(db, 'rooms/r1'), { name: 'x' }));
    result.readOwn = await outcome(get(ref(db, own)));
    result.readOther = await outcome(get(ref(db, `status/${other}`)));
    result.readAllStatus = await outcome(get(ref(db, 'status')));
    result.readRoot = await outcome(get(ref(db)));
    result.deleteOwn = await outcome(remove(ref(db, `${own}/c8`)));
    const after = await get(ref(db, own));
    result.ownKeys = Object.keys(after.val() || {}).sort();
    return result;
  },

  // A signed-out connection made after (and beside) a signed-in one has no rights.
  async 'auth-isolation'({ uid }) {
    const signedIn = connect(uid);
    const result = {};
    result.signedInWrite = await outcome(set(ref(signedIn.db, `status/${uid}/a`), { state: 'online', lastChanged: serverTimestamp() }));
    result.signedInRead = await outcome(get(ref(signedIn.db, `status/${uid}`)));
    const signedOut = connect(null);
    result.signedOutRead = await outcome(get(ref(signedOut.db, `status/${uid}`)));
    result.signedOutWrite = await outcome(set(ref(signedOut.db, `status/${uid}/b`), { state: 'online', lastChanged: serverTimestamp() }));
    // the signed-in client writes again, then the signed-out one tries again
    result.signedInWriteAgain = await outcome(set(ref(signedIn.db, `status/${uid}/a`), { state: 'away', lastChanged: serverTimestamp() }));
    result.signedOutWriteAgain = await outcome(set(ref(signedOut.db, `status/${uid}/b`), { state: 'online', lastChanged: serverTimestamp() }));
    const impostor = connect('mallory');
    result.otherUserWrite = await outcome(set(ref(impostor.db, `status/${uid}/c`), { state: 'online', lastChanged: serverTimestamp() }));
    result.otherUserRead = await outcome(get(ref(impostor.db, `status/${uid}`)));
    return result;
  },

  async 'signed-out-only'({ uid }) {
    const { db } = connect(null);
    return {
      read: await outcome(get(ref(db, `status/${uid}`))),
      write: await outcome(set(ref(db, `status/${uid}/z`), { state: 'online', lastChanged: serverTimestamp() })),
      listen: await outcome(firstValue(ref(db, `status/${uid}`))),
    };
  },

  // Queries over an open namespace: get() and onValue() must agree with expectations.
  async queries({ data }) {
    const { db } = connect('reader');
    await set(ref(db, 'scores'), data);
    await setWithPriority(ref(db, 'prio/a'), 'A', 3);
    await setWithPriority(ref(db, 'prio/b'), 'B', 1);
    await setWithPriority(ref(db, 'prio/c'), 'C', 2);
    const s = ref(db, 'scores');
    const cases = {
      byChild: query(s, orderByChild('score')),
      byChildFirst2: query(s, orderByChild('score'), limitToFirst(2)),
      byChildLast2: query(s, orderByChild('score'), limitToLast(2)),
      byChildStartAt20: query(s, orderByChild('score'), startAt(20)),
      byChildStartAfter20: query(s, orderByChild('score'), startAfter(20)),
      byChildEndAt20: query(s, orderByChild('score'), endAt(20)),
      byChildEndBefore20: query(s, orderByChild('score'), endBefore(20)),
      byChildEqual20: query(s, orderByChild('score'), equalTo(20)),
      byChildEqual20KeyTie: query(s, orderByChild('score'), equalTo(20, 'carol')),
      byChildRangeLimit: query(s, orderByChild('score'), startAt(10), endAt(30), limitToLast(2)),
      byChildString: query(s, orderByChild('name'), startAt('b'), endAt('d')),
      byNestedChild: query(s, orderByChild('meta/rank'), limitToFirst(3)),
      byKey: query(s, orderByKey(), startAt('b'), endAt('d')),
      byKeyAfter: query(s, orderByKey(), startAfter('bob'), limitToFirst(2)),
      byKeyBefore: query(s, orderByKey(), endBefore('carol')),
      byPriority: query(ref(db, 'prio'), orderByPriority()),
      byPriorityStart: query(ref(db, 'prio'), orderByPriority(), startAt(2)),
      byValue: query(ref(db, 'plain'), orderByValue()),
      byValueLimit: query(ref(db, 'plain'), orderByValue(), limitToLast(2)),
    };
    await set(ref(db, 'plain'), { x: 3, y: 'str', z: true, w: 1, v: null, u: 2 });
    const result = { get: {}, listen: {} };
    for (const [name, q] of Object.entries(cases)) {
      result.get[name] = keysOf(await get(q));
      result.listen[name] = keysOf(await firstValue(q));
    }
    // A live limit window follows writes made by another connection.
    const writer = connect('writer');
    const seen = [];
    const live = query(s, orderByChild('score'), limitToLast(2));
    const unsubscribe = onValue(live, (snapshot) => { seen.push(keysOf(snapshot)); });
    await waitFor(() => seen.length >= 1);
    await set(ref(writer.db, 'scores/zed'), { score: 99, name: 'zed' });
    await waitFor(() => seen.some((keys) => keys.includes('zed')));
    await remove(ref(writer.db, 'scores/zed'));
    await waitFor(() => JSON.stringify(seen[seen.length - 1]) === JSON.stringify(result.get.byChildLast2));
    unsubscribe();
    result.liveWindows = seen;
    return result;
  },

  // Sequential increments by transaction; several of these run at once from pytest.
  async 'transaction-worker'({ path, count, uid }) {
    const { db } = connect(uid);
    let committed = 0;
    let attempts = 0;
    for (let i = 0; i < count; i++) {
      const result = await runTransaction(ref(db, path), (value) => { attempts++; return (value || 0) + 1; });
      if (result.committed) committed++;
    }
    return { committed, attempts };
  },

  // Transactions on values whose hash exercises every type, priorities, float formats and
  // unicode keys: a hash computed differently by the server would answer "datastale"
  // forever. Also a value large enough that the SDK splits it into several frames.
  async 'wire-details'({ uid }) {
    const writer = connect(uid);
    const other = connect(uid);
    const result = {};
    const complex = {
      f: 0.1, g: -2.5e-7, h: 1e21, i: 123456789012, n: -0, t: true, s: 'text ü 🎉',
      nested: { '10': 1, '9': 2, b: { '.value': 'p', '.priority': 3 }, a: { '.value': 'q', '.priority': 'z' } },
      'ключ': 'значение',
      '.priority': 1.5,
    };
    await set(ref(writer.db, 'tx/complex'), complex);
    // keep the value cached on the transaction's connection, so its first attempt sends the
    // hash of the server's value
    const cached = [];
    const stopCaching = onValue(ref(other.db, 'tx/complex'), (snapshot) => { cached.push(snapshot.val()); });
    await waitFor(() => cached.length >= 1 && cached[cached.length - 1] !== null);
    let attempts = 0;
    const outcomeTx = await runTransaction(ref(other.db, 'tx/complex'), (value) => {
      attempts++;
      if (value === null) return value;
      return { ...value, f: value.f + 1 };
    });
    result.complexCommitted = outcomeTx.committed;
    result.complexAttempts = attempts;
    result.complexF = (await get(ref(writer.db, 'tx/complex/f'))).val();
    stopCaching();
    const big = 'x'.repeat(100000);
    await set(ref(writer.db, 'tx/big'), big);
    result.bigLength = (await get(ref(other.db, 'tx/big'))).val().length;
    return result;
  },

  // A listen the rules stop allowing is cancelled with permission_denied.
  async revocation({ uid }) {
    const { db } = connect(uid);
    const result = { values: [] };
    const cancelled = new Promise((resolve) => {
      onValue(ref(db, 'rooms/r1'), (snapshot) => { result.values.push(snapshot.val() && Object.keys(snapshot.val()).sort()); },
        (error) => resolve(String(error.code || error.message).toLowerCase()));
    });
    await waitFor(() => result.values.length === 1);
    console.log(JSON.stringify({ listening: true }));
    result.cancelled = await Promise.race([
      cancelled,
      new Promise((resolve) => setTimeout(() => resolve('not cancelled'), 10000)),
    ]);
    return result;
  },

  // Server values, .info, priorities, listeners, updates, onDisconnect merge/cancel.
  async features({ uid }) {
    const { db } = connect(uid);
    const result = {};
    result.connected = await connectedOnce(db);
    const offset = await firstValue(ref(db, '.info/serverTimeOffset'));
    result.serverTimeOffsetIsNumber = typeof offset.val() === 'number';
    result.serverTimeOffsetSmall = Math.abs(offset.val()) < 5000;
    const before = Date.now();
    await set(ref(db, 'f/ts'), serverTimestamp());
    const ts = (await get(ref(db, 'f/ts'))).val();
    result.timestampNear = Math.abs(ts - before) < 5000;
    await set(ref(db, 'f/n'), 5);
    await set(ref(db, 'f/n'), increment(3));
    await update(ref(db, 'f'), { n: increment(-1.5), m: increment(2) });
    result.incremented = (await get(ref(db, 'f'))).val();
    delete result.incremented.ts;
    // a listener sees another connection's writes, in order
    const other = connect(uid);
    const events = [];
    const unsubscribe = onValue(ref(db, 'f/live'), (snapshot) => { events.push(snapshot.val()); });
    await waitFor(() => events.length === 1);
    await set(ref(other.db, 'f/live'), 'one');
    await set(ref(other.db, 'f/live'), { nested: 'two' });
    await update(ref(other.db, 'f/live'), { more: 3 });
    await waitFor(() => events.length === 4);
    unsubscribe();
    result.liveEvents = events;
    // child events from pushes
    const added = [];
    const stop = onChildAdded(ref(db, 'f/list'), (snapshot) => { added.push(snapshot.val()); });
    await push(ref(other.db, 'f/list'), 'a');
    await push(ref(other.db, 'f/list'), 'b');
    await waitFor(() => added.length === 2);
    stop();
    result.childAdded = added;
    // priorities survive a round trip through the server
    await setWithPriority(ref(other.db, 'f/p'), { v: 1 }, 7);
    const priority = await get(ref(db, 'f/p'));
    result.priority = priority.priority;
    // onDisconnect: merge and cancel, run when the connection goes offline
    const dropper = connect(uid);
    await set(ref(dropper.db, 'f/od'), { keep: 1 });
    await onDisconnect(ref(dropper.db, 'f/od')).update({ gone: true, at: serverTimestamp() });
    await onDisconnect(ref(dropper.db, 'f/cancelled')).set('should not appear');
    await onDisconnect(ref(dropper.db, 'f/cancelled')).cancel();
    await onDisconnect(ref(dropper.db, 'f/removed')).remove();
    await set(ref(dropper.db, 'f/removed'), 'here');
    goOffline(dropper.db);
    const deadline = Date.now() + 5000;
    let od;
    while (Date.now() < deadline) {
      od = (await get(ref(db, 'f'))).val();
      if (od.od && od.od.gone) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    result.onDisconnectMerged = od.od && od.od.gone === true && od.od.keep === 1 && typeof od.od.at === 'number';
    result.cancelledAbsent = od.cancelled === undefined;
    result.removedAbsent = od.removed === undefined;
    return result;
  },
};

const [name, argsText] = process.argv.slice(2);
const scenario = scenarios[name];
if (!scenario) {
  console.error(`unknown scenario ${name}`);
  process.exit(2);
}
try {
  const result = await scenario(JSON.parse(argsText || '{}'));
  if (result !== null) {
    console.log(JSON.stringify(result));
    process.exit(0);
  }
} catch (error) {
  console.error(error && error.stack ? error.stack : error);
  process.exit(1);
}
