/**
 * Choosing a tfjs backend at run time, in browsers and Node alike: {@link selectBackend} tries
 * tfjs-node-gpu, tfjs-node, webgpu, webgl, wasm and cpu in turn and reports why each was passed
 * over. Browser-safe; Node hosts that want a named backend can also use `useNodeBackend` from
 * `zoobot-ts/node`.
 *
 * @module backend
 */
export {
  selectBackend,
  SELECTABLE_BACKENDS,
  type SelectBackendOptions,
  type BackendAttempt,
  type BackendSelection,
} from './selectBackend.js';
