/** The app's own helper (the cluster's supervisor picks the lead's loopback port with it). */
export { freePort } from '../../server/free-port';
