// The resilience test page: Playwright exposes window.reportEvent, then calls
// window.flowchatResilience.start(config) and .call(method, ...args). watch/watchRoom
// report each snapshot through window.reportEvent.
import { createResilienceClient } from "./client.js";

let client = null;
window.flowchatResilience = {
  start(config) {
    client = createResilienceClient(config);
    return true;
  },
  call(method, args) {
    if (method === "watch" || method === "watchRoom") {
      return client[method](...args, (event) => window.reportEvent(event));
    }
    return client[method](...args);
  },
};
window.flowchatResilienceReady = true;
