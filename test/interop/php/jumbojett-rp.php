<?php
/**
 * A PHP relying party of Satu Akun built on jumbojett/OpenID-Connect-PHP 1.0.2, unmodified (vendored in
 * ./jumbojett/, see its README.md), used as the library's README and Satu Akun's README show: one handler for
 * /login and /callback calling authenticate(), then the verified claims and userinfo; signOut() on /logout.
 * The tests serve it with the same variables as rp.php:
 *   SATU_AKUN_ISSUER=… SATU_AKUN_CLIENT_ID=… SATU_AKUN_CLIENT_SECRET=… SATU_AKUN_REDIRECT_URI=…/callback \
 *   SATU_AKUN_POST_LOGOUT_REDIRECT_URI=…/ php -S 127.0.0.1:8080 jumbojett-rp.php
 */

declare(strict_types=1);

// PHP 8.4 deprecates 1.0.2's implicit nullable parameters (`string $x = null`) when the file is compiled; the library
// stays as published, so those notices are kept off the pages here, before it is loaded.
error_reporting(E_ALL & ~E_DEPRECATED);

require_once '/usr/share/php/phpseclib3/autoload.php';
require_once __DIR__ . '/jumbojett/OpenIDConnectClient.php';

use Jumbojett\OpenIDConnectClient;

function client(): OpenIDConnectClient
{
    $oidc = new OpenIDConnectClient(
        (string) getenv('SATU_AKUN_ISSUER'),
        (string) getenv('SATU_AKUN_CLIENT_ID'),
        (string) getenv('SATU_AKUN_CLIENT_SECRET'),
    );
    $oidc->setRedirectURL((string) getenv('SATU_AKUN_REDIRECT_URI'));
    // authenticate() adds openid itself (listing it here would send it twice).
    $oidc->addScope(['profile', 'email']);
    $oidc->setCodeChallengeMethod('S256');
    return $oidc;
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
        case '/callback':
            $oidc = client();
            // Without a code it redirects to Satu Akun and exits; with one it redeems it and verifies the ID token.
            $oidc->authenticate();
            $_SESSION['id_token'] = $oidc->getIdToken();
            page(200, 'Signed in', [
                'alg' => $oidc->getIdTokenHeader()->alg,
                'claims' => [
                    'iss' => $oidc->getVerifiedClaims('iss'),
                    'aud' => $oidc->getVerifiedClaims('aud'),
                    'sub' => $oidc->getVerifiedClaims('sub'),
                    'acr' => $oidc->getVerifiedClaims('acr'),
                ],
                'name' => $oidc->requestUserInfo('name'),
            ]);
            break;

        case '/logout':
            $idToken = (string) ($_SESSION['id_token'] ?? '');
            session_destroy();
            client()->signOut($idToken, (string) getenv('SATU_AKUN_POST_LOGOUT_REDIRECT_URI'));
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
