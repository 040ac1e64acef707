import { CookieJar } from 'tough-cookie';
import { parse, type HTMLElement } from 'node-html-parser';

export interface Page {
  url: string;
  status: number;
  html: string;
  doc: HTMLElement;
}

/**
 * A minimal browser for protocol tests: a cookie jar, redirects followed by hand so the test sees where they go, and
 * real form submission from the HTML the server rendered. Navigation stops at `stopAt` URLs (an app's callback).
 */
export class Browser {
  readonly jar = new CookieJar();
  constructor(
    private readonly stopAt: (url: string) => boolean = () => false,
    /** Sent with every request, e.g. the headers a reverse proxy adds; a `user-agent` here names another browser. */
    private readonly extraHeaders: Record<string, string> = {},
    /** How requests go out: another `fetch`, e.g. one trusting a test CA (test/support/tls.ts). */
    private readonly fetch: typeof globalThis.fetch = globalThis.fetch,
  ) {}

  async request(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<Response> {
    const userAgent = this.extraHeaders['user-agent'] ?? 'satu-akun-test';
    const headers: Record<string, string> = { ...this.extraHeaders, cookie: await this.jar.getCookieString(url), 'user-agent': userAgent };
    let body: string | undefined;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const res = await this.fetch(url, { method: init.method ?? (body ? 'POST' : 'GET'), headers, body, redirect: 'manual' });
    for (const cookie of res.headers.getSetCookie()) await this.jar.setCookie(cookie, url);
    return res;
  }

  /** Opens a URL and follows redirects until a page, or a URL matching `stopAt` (returned without being fetched). */
  async open(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<Page> {
    let res = await this.request(url, init);
    let current = url;
    for (let hops = 0; res.status >= 300 && res.status < 400; hops++) {
      if (hops > 20) throw new Error('too many redirects');
      current = new URL(res.headers.get('location')!, current).href;
      if (this.stopAt(current)) return { url: current, status: res.status, html: '', doc: parse('') };
      res = await this.request(current);
    }
    const html = await res.text();
    return { url: current, status: res.status, html, doc: parse(html) };
  }

  /** Submits the page's form (the one whose action matches, or the first), with the given fields filled in. */
  async submit(page: Page, fields: Record<string, string> = {}, actionContains = ''): Promise<Page> {
    const form = page.doc.querySelectorAll('form').find((f) => (f.getAttribute('action') ?? '').includes(actionContains));
    if (!form) throw new Error(`no form matching "${actionContains}" on ${page.url}:\n${page.html.slice(0, 500)}`);
    const values: Record<string, string> = {};
    for (const input of form.querySelectorAll('input')) {
      const name = input.getAttribute('name');
      if (name) values[name] = input.getAttribute('value') ?? '';
    }
    const action = new URL(form.getAttribute('action') ?? page.url, page.url).href;
    return this.open(action, { method: (form.getAttribute('method') ?? 'get').toUpperCase(), form: { ...values, ...fields } });
  }
}

/** The fields a browser would send for a form: checked boxes and radios only, textareas, selected options. */
export const formFields = (page: Page, actionEndsWith: string): { action: string; fields: Record<string, string> } => {
  const form = page.doc.querySelectorAll('form').find((f) => (f.getAttribute('action') ?? '').endsWith(actionEndsWith));
  if (!form) throw new Error(`no form ending in "${actionEndsWith}" on ${page.url} (${page.status}):\n${page.html.slice(0, 600)}`);
  const fields: Record<string, string> = {};
  for (const input of form.querySelectorAll('input')) {
    const name = input.getAttribute('name');
    const type = input.getAttribute('type') ?? 'text';
    if (!name || input.hasAttribute('disabled')) continue;
    if ((type === 'checkbox' || type === 'radio') && !input.hasAttribute('checked')) continue;
    fields[name] = input.getAttribute('value') ?? 'on';
  }
  for (const area of form.querySelectorAll('textarea')) fields[area.getAttribute('name')!] = area.text;
  for (const select of form.querySelectorAll('select')) {
    const chosen = select.querySelectorAll('option').find((o) => o.hasAttribute('selected')) ?? select.querySelector('option');
    fields[select.getAttribute('name')!] = chosen?.getAttribute('value') ?? '';
  }
  return { action: new URL(form.getAttribute('action')!, page.url).href, fields };
};
