/**
 * The embedded sample directory as a process of its own, so it does not share a core with the provider under test.
 * Prints `READY ldap://127.0.0.1:<port>` once listening; stops on SIGTERM or SIGINT.
 */
import { startEmbeddedDirectory } from '../src/directory/embedded-server.ts';

const directory = await startEmbeddedDirectory({ port: 0 });
console.log(`READY ${directory.url}`);
const shutdown = () => void directory.close().then(() => process.exit(0));
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
