"""
A Python relying party of Satu Akun: Flask and Authlib, both from Debian (python3-flask, python3-authlib).

Authorization code + PKCE (S256), client_secret_basic, the ID token verified by Authlib against the JWKS (RS256 or
ES256, whichever the app registered), RP-initiated logout with id_token_hint. The tests run it with

    SATU_AKUN_ISSUER=... SATU_AKUN_CLIENT_ID=... SATU_AKUN_CLIENT_SECRET=... APP_URL=http://127.0.0.1:8081 \
    FLASK_SECRET_KEY=... /usr/bin/python3 app.py

and register it with the redirect URI APP_URL/auth/callback and the post-logout redirect URI APP_URL/.
Routes: / (who is signed in), /login, /auth/callback, /logout.
"""

import base64
import html
import json
import os
from urllib.parse import urlencode, urlsplit

from authlib.common.errors import AuthlibBaseError
from authlib.integrations.flask_client import OAuth
from flask import Flask, redirect, session, url_for

ISSUER = os.environ['SATU_AKUN_ISSUER'].rstrip('/')
APP_URL = os.environ['APP_URL'].rstrip('/')

app = Flask(__name__)
app.secret_key = os.environ['FLASK_SECRET_KEY']
# Authlib keeps state, nonce and the PKCE verifier in Flask's (signed) session cookie between /login and the callback.
app.config.update(SESSION_COOKIE_NAME='authlib_rp', SESSION_COOKIE_SAMESITE='Lax')

oauth = OAuth(app)
oauth.register(
    'satu_akun',
    server_metadata_url=f'{ISSUER}/.well-known/openid-configuration',
    client_id=os.environ['SATU_AKUN_CLIENT_ID'],
    client_secret=os.environ['SATU_AKUN_CLIENT_SECRET'],
    client_kwargs={'scope': 'openid profile email', 'code_challenge_method': 'S256'},
)


def page(status, title, data):
    """A small HTML page; the tests read the JSON in <pre id="result">."""
    body = html.escape(json.dumps(data, indent=2, ensure_ascii=False))
    return f'<!doctype html><title>{title}</title><h1>{title}</h1><pre id="result">{body}</pre>\n', status, {
        'content-type': 'text/html; charset=utf-8'
    }


@app.route('/')
def home():
    user = session.get('user')
    if user is None:
        return page(200, 'Signed out', {})
    return page(200, 'Signed in', {'sub': user['sub'], 'name': user.get('name'), 'alg': session.get('alg')})


@app.route('/login')
def login():
    return oauth.satu_akun.authorize_redirect(f'{APP_URL}/auth/callback')


@app.route('/auth/callback')
def callback():
    try:
        # Checks state, sends the PKCE verifier, verifies the ID token (signature against the JWKS, iss, aud, exp,
        # nonce) and puts its claims in token['userinfo'].
        token = oauth.satu_akun.authorize_access_token()
    except AuthlibBaseError as error:
        session.clear()
        return page(400, 'Refused', {'error': error.error, 'description': error.description})
    claims = token['userinfo']  # the verified ID token's claims: sub, acr, amr, auth_time
    # Satu Akun puts the profile claims (name, email, ...) in userinfo, not in an ID token issued with an access token.
    profile = oauth.satu_akun.userinfo(token=token)
    if profile['sub'] != claims['sub']:
        return page(400, 'Refused', {'error': 'userinfo is about someone else'})
    header = json.loads(_b64url(token['id_token'].split('.')[0]))
    session.clear()
    session['user'] = {'sub': claims['sub'], 'name': profile.get('name')}
    session['id_token'] = token['id_token']
    session['alg'] = header['alg']
    return redirect(url_for('home'))


@app.route('/logout')
def logout():
    """RP-initiated logout: Satu Akun asks the person to confirm, then sends them back to APP_URL/."""
    id_token = session.get('id_token')
    session.clear()
    metadata = oauth.satu_akun.load_server_metadata()
    query = {'post_logout_redirect_uri': f'{APP_URL}/'}
    if id_token:
        query['id_token_hint'] = id_token
    return redirect(f"{metadata['end_session_endpoint']}?{urlencode(query)}")


def _b64url(segment):
    return base64.urlsafe_b64decode(segment + '=' * (-len(segment) % 4))


if __name__ == '__main__':
    address = urlsplit(APP_URL)
    app.run(host=address.hostname, port=address.port)
