// Bundled for the browser by ../rtdb_browser.mjs: runs the browser build of
// firebase/database (native WebSocket) against the emulator, from inside Chromium.
import { initializeApp } from 'firebase/app';
import {
  getDatabase, connectDatabaseEmulator, ref, set, get, push, onValue, runTransaction,
  query, orderByChild, limitToLast, onDisconnect, serverTimestamp, forceLongPolling,
  enableLogging,
} from 'firebase/database';

let apps = 0;

function connect(config, uid) {
  const app = initializeApp(
    { projectId: 'demo-flowchat', databaseURL: `http://${config.host}:${config.port}?ns=${config.ns}` },
    `browser-${apps++}`,
  );
  const db = getDatabase(app);
  connectDatabaseEmulator(db, config.host, config.port, uid ? { mockUserToken: { user_id: uid } } : {});
  return db;
}

async function outcome(promise) {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    return String(error.code || error.message).toLowerCase().replace(/ /g, '_');
  }
}

function connected(db) {
  return new Promise((resolve) => {
    onValue(ref(db, '.info/connected'), (snapshot) => { if (snapshot.val() === true) resolve(true); });
  });
}

window.rtdbBrowser = {
  // Presence with onDisconnect, left in place for the test to close the page.
  async presence(config) {
    const db = connect(config, config.uid);
    await connected(db);
    const entry = push(ref(db, `status/${config.uid}`));
    await onDisconnect(entry).set({ state: 'offline', lastChanged: serverTimestamp() });
    await set(entry, { state: 'online', lastChanged: serverTimestamp() });
    const denied = await outcome(set(ref(db, `status/someone-else/x`), { state: 'online', lastChanged: serverTimestamp() }));
    const anonymous = connect(config, null);
    const anonymousRead = await outcome(get(ref(anonymous, `status/${config.uid}`)));
    return { key: entry.key, denied, anonymousRead };
  },

  // Queries, listeners and a transaction in an open namespace.
  async features(config) {
    const db = connect(config, config.uid);
    await set(ref(db, 'scores'), { a: { score: 3 }, b: { score: 1 }, c: { score: 2 } });
    const keys = [];
    (await get(query(ref(db, 'scores'), orderByChild('score'), limitToLast(2)))).forEach((child) => { keys.push(child.key); });
    const seen = [];
    const unsubscribe = onValue(ref(db, 'live'), (snapshot) => { seen.push(snapshot.val()); });
    const other = connect(config, config.uid);
    await set(ref(other, 'live'), 'from another connection');
    while (seen.length < 2) await new Promise((resolve) => setTimeout(resolve, 20));
    unsubscribe();
    const results = await Promise.all([1, 2, 3, 4, 5].map(() => runTransaction(ref(other, 'count'), (n) => (n || 0) + 1)));
    return {
      queryKeys: keys,
      seen,
      committed: results.every((result) => result.committed),
      count: (await get(ref(db, 'count'))).val(),
      userAgentIsChrome: navigator.userAgent.includes('Chrome'),
    };
  },
};
function within(promise, ms, fallback) {
  return Promise.race([promise, new Promise((resolve) => setTimeout(() => resolve(fallback), ms))]);
}

// A browser whose earlier WebSocket attempt failed (say the emulator was not up yet)
// remembers it in localStorage and starts with long polling, then upgrades to a WebSocket.
window.rtdbBrowser.afterWebSocketFailure = async (config) => {
  if (config.debug) enableLogging(true);
  localStorage.setItem('firebase:previous_websocket_failure', 'true');
  const db = connect(config, config.uid);
  const result = { connected: await within(connected(db), 10000, false) };
  await set(ref(db, 'lp/value'), { n: 1, at: serverTimestamp() });
  const transaction = await runTransaction(ref(db, 'lp/count'), (n) => (n || 0) + 1);
  result.committed = transaction.committed;
  result.value = (await get(ref(db, 'lp/value/n'))).val();
  // the upgrade completes in the background; once on a WebSocket the SDK clears the flag
  const started = Date.now();
  while (localStorage.getItem('firebase:previous_websocket_failure') !== null && Date.now() - started < 15000) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  result.flagCleared = localStorage.getItem('firebase:previous_websocket_failure') === null;
  result.afterUpgrade = await (async () => {
    await set(ref(db, 'lp/after'), 'upgraded');
    return (await get(ref(db, 'lp/after'))).val();
  })();
  return result;
};

// Long polling only: presence with onDisconnect, a listener fed by another connection.
window.rtdbBrowser.longPollingPresence = async (config) => {
  forceLongPolling();
  const db = connect(config, config.uid);
  await within(connected(db), 10000, false);
  const entry = push(ref(db, `status/${config.uid}`));
  await onDisconnect(entry).set({ state: 'offline', lastChanged: serverTimestamp() });
  await set(entry, { state: 'online', lastChanged: serverTimestamp() });
  window.longPollSeen = [];
  onValue(ref(db, `status/${config.uid}/${entry.key}/state`), (snapshot) => {
    window.longPollSeen.push(snapshot.val());
  });
  return { key: entry.key };
};
window.rtdbBrowserReady = true;
