// The test page: Playwright calls window.flowchatTest.start(config), then
// window.flowchatTest.call(method, ...args) on the client it created.
import { createClient } from "./client.js";

let client = null;
window.flowchatTest = {
  start(config) {
    client = createClient(config);
    return true;
  },
  call(method, args) {
    return client[method](...args);
  },
};
window.flowchatTestReady = true;
