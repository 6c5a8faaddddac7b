<?php
// Oracle for tests/json_edit_differential.rs: applies edits with Composer's own JsonManipulator
// (the class `composer require` / `composer remove` use to change composer.json in place).
//
// Input on stdin, one JSON array per line: [text, [[op, args...], ...]] with op one of
//   ["add", section, package, constraint, sortPackages]   addLink
//   ["rm", section, package]                               removeSubNode
//   ["rmempty", section]                                   removeMainKeyIfEmpty
// or ["recommend", package] for VersionSelector::findRecommendedRequireVersion of a package
// entry loaded with ArrayLoader (aliases unwrapped, as `composer require` does).
// Output: one JSON value per input line: the edited text, or false when an edit reports that it
// could not be made cleanly (Composer then rewrites the whole file instead).
error_reporting(E_ALL);
ini_set('display_errors', 'stderr');
require getenv('COMPOSER_AUTOLOAD') ?: '/usr/share/php/Composer/autoload.php';

use Composer\Json\JsonManipulator;
use Composer\Package\AliasPackage;
use Composer\Package\Loader\ArrayLoader;
use Composer\Package\Version\VersionSelector;
use Composer\Repository\RepositorySet;

$loader = new ArrayLoader();
$selector = new VersionSelector(new RepositorySet());

$in = fopen('php://stdin', 'r');
while (($line = fgets($in)) !== false) {
    $request = json_decode($line, true);
    if ($request[0] === 'recommend') {
        try {
            $package = $loader->load($request[1]);
            while ($package instanceof AliasPackage) {
                $package = $package->getAliasOf();
            }
            $result = $selector->findRecommendedRequireVersion($package);
        } catch (\Throwable $e) {
            $result = false;
        }
        echo json_encode($result, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE), "\n";
        continue;
    }
    [$text, $ops] = $request;
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
