/**
 * The optional native CPU backend for Node, `zoobot-native`: tfjs's `cpu` backend with its
 * convolutions (and their gradients), depthwise convolutions, matrix products and pooling replaced
 * by oneDNN, the library TensorFlow itself uses on CPUs. The addon is built explicitly
 * (`apt-get install -y libdnnl-dev`, then `npm run build:native`); {@link registerNativeBackend}
 * says why when it is absent. Browser-safe to import (it then reports that it needs Node).
 *
 * @module native
 */
export { registerNativeBackend, NATIVE_BACKEND, NATIVE_KERNEL_NAMES, type NativeRegistration, type NativeBackendOptions } from './register.js';
export { loadNativeAddon, NATIVE_ADDON_ENV, type NativeAddon, type AddonLoad } from './addon.js';
