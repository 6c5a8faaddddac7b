<?php
// Oracle for tests/semver_differential.rs: answers with Composer's own composer/semver classes
// (Debian's php-composer-semver, as bundled with its composer package).
//
// Input on stdin, one JSON array per line:
//   ["n", version]            VersionParser::normalize        -> ["ok", normalized] | ["err", message]
//   ["c", constraint]         VersionParser::parseConstraints -> ["ok", (string) $c] | ["err", message]
//   ["m", constraint, normalized version]
//                             -> [CompilingMatcher::match($c, Constraint::OP_EQ, $v), $c->matches(new Constraint('==', $v))]
//   ["v", a, b]               version_compare($a, $b)          -> -1 | 0 | 1
//   ["r", [versions...]]      Semver::rsort                    -> ["ok", [...]] | ["err", message]
// Output: one JSON value per input line, in order.
error_reporting(E_ALL);
ini_set('display_errors', 'stderr');

$autoload = getenv('COMPOSER_SEMVER_AUTOLOAD') ?: '/usr/share/php/Composer/Semver/autoload.php';
require $autoload;

use Composer\Semver\CompilingMatcher;
use Composer\Semver\Constraint\Constraint;
use Composer\Semver\Semver;
use Composer\Semver\VersionParser;

$parser = new VersionParser();
$flags = JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_INVALID_UTF8_SUBSTITUTE;
$in = fopen('php://stdin', 'r');
$out = fopen('php://stdout', 'w');
$constraints = [];
while (($line = fgets($in)) !== false) {
    $req = json_decode($line, true);
    switch ($req[0]) {
        case 'n':
            try {
                $r = ['ok', $parser->normalize($req[1])];
            } catch (\Throwable $e) {
                $r = ['err', $e->getMessage()];
            }
            break;
        case 'c':
            try {
                $r = ['ok', (string) $parser->parseConstraints($req[1])];
            } catch (\Throwable $e) {
                $r = ['err', $e->getMessage()];
            }
            break;
        case 'm':
            if (!isset($constraints[$req[1]])) {
                $constraints[$req[1]] = $parser->parseConstraints($req[1]);
            }
            $c = $constraints[$req[1]];
            $r = [CompilingMatcher::match($c, Constraint::OP_EQ, $req[2]), $c->matches(new Constraint('==', $req[2]))];
            break;
        case 'v':
            $r = version_compare($req[1], $req[2]);
            break;
        case 'r':
            try {
                $r = ['ok', Semver::rsort($req[1])];
            } catch (\Throwable $e) {
                $r = ['err', $e->getMessage()];
            }
            break;
        default:
            $r = null;
    }
    fwrite($out, json_encode($r, $flags) . "\n");
}
