import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import type { Context, Next } from 'koa';
import { VIEWS_DIR } from './render.ts';

const TYPES: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml', '.png': 'image/png', '.jpg': 'image/jpeg' };

/**
 * The few local assets every page uses, read once at start-up: no CDN, since the regency network may be cut off
 * from the internet. `/static/logo` serves the regency's configured logo, or the default.
 */
export const staticAssets = (logoPath?: string) => {
  const file = (path: string) => ({ body: readFileSync(path), type: TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream' });
  const assets = new Map([
    ['/static/style.css', file(join(VIEWS_DIR, 'static/style.css'))],
    ['/static/logo', file(logoPath ?? join(VIEWS_DIR, 'static/logo.svg'))],
    ['/static/webauthn.js', file(join(VIEWS_DIR, 'static/webauthn.js'))],
    ['/static/show-password.js', file(join(VIEWS_DIR, 'static/show-password.js'))],
    ['/static/auto-submit.js', file(join(VIEWS_DIR, 'static/auto-submit.js'))],
    ['/static/copy-codes.js', file(join(VIEWS_DIR, 'static/copy-codes.js'))],
    // The browser half of @simplewebauthn, served from the installed package (no CDN).
    ['/static/simplewebauthn-browser.js', file(join(dirname(createRequire(import.meta.url).resolve('@simplewebauthn/browser')), '../dist/bundle/index.umd.min.js'))],
  ]);
  return async (ctx: Context, next: Next) => {
    const asset = ctx.method === 'GET' || ctx.method === 'HEAD' ? assets.get(ctx.path) : undefined;
    if (!asset) return next();
    ctx.type = asset.type;
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.body = asset.body;
  };
};
