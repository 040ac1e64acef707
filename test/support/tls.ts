import { execFile } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A throwaway certificate authority and one server certificate it signed, as PEM files (and the CA's PEM text). */
export interface TestPki {
  caFile: string;
  ca: string;
  /** The full chain (server certificate, then the CA), for nginx. */
  certFile: string;
  /** The server certificate alone, for servers that want the chain elsewhere (slapd). */
  serverCertFile: string;
  keyFile: string;
}

/**
 * Makes a CA and a server certificate for `localhost` and 127.0.0.1 with the openssl CLI, in `dir`. The certificate
 * file holds the full chain (server, then CA), as nginx's `ssl_certificate` expects.
 */
export const makeTestPki = async (dir: string): Promise<TestPki> => {
  const path = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => run('openssl', args, { cwd: dir });
  await openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=Satu Akun test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    '-keyout', path('ca.key'), '-out', path('ca.pem'));
  await openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-keyout', path('server.key'), '-out', path('server.csr'));
  await writeFile(path('server.ext'), [
    'subjectAltName=DNS:localhost,IP:127.0.0.1',
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    'extendedKeyUsage=serverAuth',
    '',
  ].join('\n'));
  await openssl('x509', '-req', '-in', path('server.csr'), '-CA', path('ca.pem'), '-CAkey', path('ca.key'), '-CAcreateserial',
    '-days', '2', '-extfile', path('server.ext'), '-out', path('server.pem'));
  const ca = await readFile(path('ca.pem'), 'utf8');
  await writeFile(path('chain.pem'), (await readFile(path('server.pem'), 'utf8')) + ca);
  return { caFile: path('ca.pem'), ca, certFile: path('chain.pem'), serverCertFile: path('server.pem'), keyFile: path('server.key') };
};

const NULL_BODY = new Set([101, 204, 205, 304]);

/**
 * A `fetch` that trusts `ca` (and only it) for https, for test clients of a server behind a throwaway CA: Node 20's
 * global fetch takes no CA, and its undici `Agent` is not importable without the undici package. Redirects are never
 * followed (both callers, the test browser and openid-client, ask for `redirect: 'manual'`).
 */
export const fetchTrusting = (ca: string): typeof globalThis.fetch => async (input, init) => {
  const request = new Request(input, init);
  const body = request.body ? Buffer.from(await request.arrayBuffer()) : undefined;
  const url = new URL(request.url);
  const headers: Record<string, string> = {};
  request.headers.forEach((value, name) => (headers[name] = value));
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<Response>((resolve, reject) => {
    const req = send(url, { method: request.method, headers, ca, signal: init?.signal ?? undefined }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const answer = new Headers();
        for (let i = 0; i < res.rawHeaders.length; i += 2) answer.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
        const status = res.statusCode!;
        const content = NULL_BODY.has(status) || request.method === 'HEAD' ? null : Buffer.concat(chunks);
        resolve(new Response(content, { status, statusText: res.statusMessage, headers: answer }));
      });
    });
    req.on('error', reject);
    req.end(body);
  });
};
