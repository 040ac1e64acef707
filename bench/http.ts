import { Agent, request } from 'node:http';

/** A response with its body read as text. */
export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

const agent = new Agent({ keepAlive: true, maxSockets: 256 });

/** One HTTP/1.1 request over a shared keep-alive agent (plain HTTP on loopback only). */
export const send = (url: URL, method: string, headers: Record<string, string>, body?: string) =>
  new Promise<Reply>((resolve, reject) => {
    const req = request(url, { method, agent, headers: body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });

/** `Authorization: Basic` for a client id and secret (RFC 6749 2.3.1: form-encoded first). */
export const basicAuth = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

/**
 * The smallest cookie jar a one-host sign-in needs: name + path, prefix path matching, deletion by an empty value,
 * `Max-Age=0` or a past `Expires`. Domain, `Secure` and `SameSite` are ignored (everything is one loopback origin).
 */
export class CookieJar {
  private readonly cookies = new Map<string, { name: string; value: string; path: string }>();

  /** Stores the `Set-Cookie` headers of a response. */
  store(setCookie: string[] | undefined): void {
    for (const header of setCookie ?? []) {
      const [pair = '', ...attrs] = header.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      let path = '/';
      let expired = value === '';
      for (const attr of attrs) {
        const [k = '', v = ''] = attr.split('=').map((s) => s.trim());
        const key = k.toLowerCase();
        if (key === 'path' && v) path = v;
        else if (key === 'max-age' && Number(v) <= 0) expired = true;
        else if (key === 'expires' && Date.parse(v) < Date.now()) expired = true;
      }
      if (expired) this.cookies.delete(`${name};${path}`);
      else this.cookies.set(`${name};${path}`, { name, value, path });
    }
  }

  /** The `Cookie` header for a request to `path`. */
  header(path: string): string {
    const out: string[] = [];
    for (const c of this.cookies.values()) if (path.startsWith(c.path)) out.push(`${c.name}=${c.value}`);
    return out.join('; ');
  }
}
