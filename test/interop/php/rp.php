<?php
/**
 * A plain PHP relying party of Satu Akun, built only from Debian's packages (php-cli, php-curl, php-phpseclib3):
 * authorization code + PKCE (S256), client_secret_basic, an RS256 ID token verified against the JWKS, userinfo.
 * It does what jumbojett/OpenID-Connect-PHP does, in one readable file; the tests serve it with
 *   SATU_AKUN_ISSUER=… SATU_AKUN_CLIENT_ID=… SATU_AKUN_CLIENT_SECRET=… SATU_AKUN_REDIRECT_URI=…/callback \
 *   SATU_AKUN_POST_LOGOUT_REDIRECT_URI=…/ php -S 127.0.0.1:8080 rp.php
 * Routes: /, /login, /callback, /logout, and /verify-tampered (tests only: the ID token of this session with one byte of
 * its signature flipped must be refused, which proves the signature is checked and not just decoded).
 */

declare(strict_types=1);

require_once '/usr/share/php/phpseclib3/autoload.php';

use phpseclib3\Crypt\PublicKeyLoader;
use phpseclib3\Crypt\RSA;
use phpseclib3\Math\BigInteger;

$config = [
    'issuer' => rtrim((string) getenv('SATU_AKUN_ISSUER'), '/'),
    'client_id' => (string) getenv('SATU_AKUN_CLIENT_ID'),
    'client_secret' => (string) getenv('SATU_AKUN_CLIENT_SECRET'),
    'redirect_uri' => (string) getenv('SATU_AKUN_REDIRECT_URI'),
    'post_logout_redirect_uri' => (string) getenv('SATU_AKUN_POST_LOGOUT_REDIRECT_URI'),
];

/** A GET or POST with curl; returns the decoded JSON body, or throws with the status and body. */
function http_json(string $url, array $options = []): array
{
    $curl = curl_init($url);
    curl_setopt_array($curl, [CURLOPT_RETURNTRANSFER => true, CURLOPT_TIMEOUT => 10] + $options);
    $body = curl_exec($curl);
    $status = curl_getinfo($curl, CURLINFO_RESPONSE_CODE);
    curl_close($curl);
    if ($body === false || $status !== 200) {
        throw new RuntimeException("$url answered $status: $body");
    }
    return json_decode((string) $body, true, 512, JSON_THROW_ON_ERROR);
}

function base64url_encode(string $bytes): string
{
    return rtrim(strtr(base64_encode($bytes), '+/', '-_'), '=');
}

function base64url_decode(string $text): string
{
    $bytes = base64_decode(strtr($text, '-_', '+/'), true);
    if ($bytes === false) {
        throw new RuntimeException('not base64url');
    }
    return $bytes;
}

function discovery(array $config): array
{
    $metadata = http_json($config['issuer'] . '/.well-known/openid-configuration');
    if ($metadata['issuer'] !== $config['issuer']) {
        throw new RuntimeException('discovery names another issuer');
    }
    return $metadata;
}

/**
 * The ID token's claims once its RS256 signature (PKCS#1 v1.5, SHA-256, the JWKS key named by `kid`) and its
 * iss, aud, exp and nonce are checked. Any other algorithm is refused, as jumbojett does.
 */
function verify_id_token(string $jwt, array $metadata, array $config, string $nonce): array
{
    $parts = explode('.', $jwt);
    if (count($parts) !== 3) {
        throw new RuntimeException('not a signed JWT');
    }
    [$headerPart, $payloadPart, $signaturePart] = $parts;
    $header = json_decode(base64url_decode($headerPart), true, 512, JSON_THROW_ON_ERROR);
    if (($header['alg'] ?? null) !== 'RS256') {
        throw new RuntimeException('alg ' . ($header['alg'] ?? 'none') . ' is not accepted, only RS256');
    }
    $jwks = http_json($metadata['jwks_uri']);
    $jwk = null;
    foreach ($jwks['keys'] as $candidate) {
        if ($candidate['kty'] === 'RSA' && ($candidate['kid'] ?? null) === ($header['kid'] ?? null)) {
            $jwk = $candidate;
        }
    }
    if ($jwk === null) {
        throw new RuntimeException('no RSA key with kid ' . ($header['kid'] ?? '(none)') . ' in the JWKS');
    }
    $key = PublicKeyLoader::load([
        'n' => new BigInteger(base64url_decode($jwk['n']), 256),
        'e' => new BigInteger(base64url_decode($jwk['e']), 256),
    ])->withPadding(RSA::SIGNATURE_PKCS1)->withHash('sha256');
    if (!$key->verify("$headerPart.$payloadPart", base64url_decode($signaturePart))) {
        throw new RuntimeException('signature does not verify');
    }
    $claims = json_decode(base64url_decode($payloadPart), true, 512, JSON_THROW_ON_ERROR);
    $audience = (array) $claims['aud'];
    if ($claims['iss'] !== $metadata['issuer']) {
        throw new RuntimeException('wrong iss');
    }
    if (!in_array($config['client_id'], $audience, true) || (count($audience) > 1 && ($claims['azp'] ?? null) !== $config['client_id'])) {
        throw new RuntimeException('wrong aud');
    }
    if (!is_int($claims['exp']) || $claims['exp'] < time()) {
        throw new RuntimeException('expired');
    }
    if (!hash_equals($nonce, (string) ($claims['nonce'] ?? ''))) {
        throw new RuntimeException('wrong nonce');
    }
    return ['header' => $header, 'claims' => $claims];
}

function page(int $status, string $title, array $data): void
{
    http_response_code($status);
    header('content-type: text/html; charset=utf-8');
    $json = htmlspecialchars(json_encode($data, JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE));
    echo "<!doctype html><title>$title</title><h1>$title</h1><pre id=\"result\">$json</pre>\n";
}

session_start();
$path = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);

try {
    switch ($path) {
        case '/login':
            $metadata = discovery($config);
            $_SESSION['state'] = base64url_encode(random_bytes(32));
            $_SESSION['nonce'] = base64url_encode(random_bytes(32));
            $_SESSION['verifier'] = base64url_encode(random_bytes(32));
            header('Location: ' . $metadata['authorization_endpoint'] . '?' . http_build_query([
                'response_type' => 'code',
                'client_id' => $config['client_id'],
                'redirect_uri' => $config['redirect_uri'],
                'scope' => 'openid profile email',
                'state' => $_SESSION['state'],
                'nonce' => $_SESSION['nonce'],
                'code_challenge' => base64url_encode(hash('sha256', $_SESSION['verifier'], true)),
                'code_challenge_method' => 'S256',
            ]));
            break;

        case '/callback':
            if (!isset($_SESSION['state'], $_GET['state']) || !hash_equals($_SESSION['state'], (string) $_GET['state'])) {
                throw new RuntimeException('state does not match');
            }
            if (isset($_GET['error'])) {
                throw new RuntimeException('authorization error: ' . $_GET['error']);
            }
            $metadata = discovery($config);
            $tokens = http_json($metadata['token_endpoint'], [
                CURLOPT_POST => true,
                CURLOPT_HTTPAUTH => CURLAUTH_BASIC,
                // client_secret_basic: both parts form-encoded (RFC 6749 §2.3.1).
                CURLOPT_USERPWD => urlencode($config['client_id']) . ':' . urlencode($config['client_secret']),
                CURLOPT_POSTFIELDS => http_build_query([
                    'grant_type' => 'authorization_code',
                    'code' => (string) ($_GET['code'] ?? ''),
                    'redirect_uri' => $config['redirect_uri'],
                    'code_verifier' => $_SESSION['verifier'],
                ]),
            ]);
            $verified = verify_id_token($tokens['id_token'], $metadata, $config, $_SESSION['nonce']);
            $userinfo = http_json($metadata['userinfo_endpoint'], [CURLOPT_HTTPHEADER => ['Authorization: Bearer ' . $tokens['access_token']]]);
            if ($userinfo['sub'] !== $verified['claims']['sub']) {
                throw new RuntimeException('userinfo is about someone else');
            }
            unset($_SESSION['state'], $_SESSION['verifier']);
            $_SESSION['id_token'] = $tokens['id_token'];
            page(200, 'Signed in', ['alg' => $verified['header']['alg'], 'id_token' => $verified['claims'], 'userinfo' => $userinfo]);
            break;

        case '/verify-tampered':
            [$h, $p, $s] = explode('.', $_SESSION['id_token']);
            $signature = base64url_decode($s);
            $signature[10] = chr(ord($signature[10]) ^ 0x01);
            verify_id_token("$h.$p." . base64url_encode($signature), discovery($config), $config, $_SESSION['nonce']);
            page(200, 'Tampered token accepted', []);
            break;

        case '/logout':
            $metadata = discovery($config);
            $idToken = $_SESSION['id_token'] ?? '';
            session_destroy();
            header('Location: ' . $metadata['end_session_endpoint'] . '?' . http_build_query([
                'id_token_hint' => $idToken,
                'post_logout_redirect_uri' => $config['post_logout_redirect_uri'],
            ]));
            break;

        case '/':
            page(200, isset($_SESSION['id_token']) ? 'Signed in' : 'Signed out', []);
            break;

        default:
            page(404, 'Not found', []);
    }
} catch (Throwable $e) {
    page(400, 'Refused', ['error' => $e->getMessage()]);
}
