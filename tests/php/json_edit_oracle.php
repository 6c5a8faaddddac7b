<?php
// Oracle for tests/json_edit_differential.rs: applies edits with Composer's own JsonManipulator
// (the class `composer require` / `composer remove` use to change composer.json in place).
//
// Input on stdin, one JSON array per line: [text, [[op, args...], ...]] with op one of
//   ["add", section, package, constraint, sortPackages]   addLink
//   ["rm", section, package]                               removeSubNode
//   ["rmempty", section]                                   removeMainKeyIfEmpty
// Output: one JSON value per input line: the edited text, or false when an edit reports that it
// could not be made cleanly (Composer then rewrites the whole file instead).
error_reporting(E_ALL);
ini_set('display_errors', 'stderr');
require getenv('COMPOSER_AUTOLOAD') ?: '/usr/share/php/Composer/autoload.php';

use Composer\Json\JsonManipulator;

$in = fopen('php://stdin', 'r');
while (($line = fgets($in)) !== false) {
    [$text, $ops] = json_decode($line, true);
    $result = null;
    try {
        $m = new JsonManipulator($text);
        $ok = true;
        foreach ($ops as $op) {
            switch ($op[0]) {
                case 'add': $ok = $m->addLink($op[1], $op[2], $op[3], $op[4]); break;
                case 'rm': $ok = $m->removeSubNode($op[1], $op[2]); break;
                case 'rmempty': $ok = $m->removeMainKeyIfEmpty($op[1]); break;
            }
            if (!$ok) {
                break;
            }
        }
        $result = $ok ? $m->getContents() : false;
    } catch (\Throwable $e) {
        $result = false;
    }
    echo json_encode($result, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE), "\n";
}
