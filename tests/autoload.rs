//! The native autoloader: PHP loads classes through it, and it resolves every class exactly as
//! Composer's own autoloader does (differential tests against real Composer, on the fixture
//! project and on a corpus of real PHP code shipped by Debian under /usr/share/php).

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{json, Value};
use support::project::{composer_available, run, run_ok, Project, World};

/// Asks an autoloader, in a fresh php process, where each class is (`findFile`, as a path
/// relative to the project) and what `Composer\InstalledVersions` says about every package.
const RESOLVER: &str = r#"<?php
[$self, $project, $classesFile] = $argv;
$loader = require $project . '/vendor/autoload.php';
$root = realpath($project);
$rel = function ($path) use ($root) {
    if ($path === false || $path === null) {
        return null;
    }
    $real = realpath($path);
    if ($real === false) {
        return 'missing:' . $path;
    }
    if ($real === $root) {
        return '.';
    }
    return strpos($real, $root . '/') === 0 ? substr($real, strlen($root) + 1) : $real;
};
$out = array('classes' => array(), 'installed' => null);
foreach (json_decode(file_get_contents($classesFile), true) as $class) {
    $out['classes'][$class] = $rel($loader->findFile($class));
}
if (is_file($project . '/vendor/composer/installed.php')) {
    $iv = 'Composer\InstalledVersions';
    $names = $iv::getInstalledPackages();
    $info = array('packages' => $names, 'libraries' => $iv::getInstalledPackagesByType('library'));
    $semver = '/usr/share/php/Composer/Semver/autoload.php';
    $parser = null;
    if (is_file($semver)) {
        require_once $semver;
        $parser = new Composer\Semver\VersionParser();
    }
    foreach ($names as $name) {
        $info['each'][$name] = array(
            $iv::getVersion($name), $iv::getPrettyVersion($name), $iv::getReference($name),
            $rel($iv::getInstallPath($name)), $iv::isInstalled($name), $iv::isInstalled($name, false),
            $iv::getVersionRanges($name),
            $parser ? $iv::satisfies($parser, $name, '*') : null,
            $parser ? $iv::satisfies($parser, $name, '>=999') : null,
        );
    }
    $rootPackage = $iv::getRootPackage();
    $rootPackage['install_path'] = $rel($rootPackage['install_path']);
    $info['root'] = $rootPackage;
    $info['unknown'] = $iv::isInstalled('nobody/nothing');
    try {
        $iv::getVersion('nobody/nothing');
        $info['throws'] = false;
    } catch (OutOfBoundsException $e) {
        $info['throws'] = $e->getMessage();
    }
    $info['datasets'] = count($iv::getAllRawData());
    $out['installed'] = $info;
}
echo json_encode($out);
"#;

/// The classes of a generated autoload_classmap.php, with paths relative to the project.
const CLASSMAP_DUMP: &str = r#"<?php
[$self, $project] = $argv;
$root = realpath($project);
$map = array();
foreach (require $project . '/vendor/composer/autoload_classmap.php' as $class => $file) {
    $real = realpath($file);
    $path = $real !== false ? $real : $file;
    $map[$class] = strpos($path, $root . '/') === 0 ? substr($path, strlen($root) + 1) : $path;
}
echo json_encode($map);
"#;

fn php(script: &str, args: &[&Path], dir: &Path) -> Value {
    let file = dir.join(format!("script-{}.php", md5_hex(script)));
    std::fs::write(&file, script).unwrap();
    let mut cmd = Command::new("php");
    cmd.arg("-d").arg("memory_limit=-1").arg(&file).args(args);
    let out = run_ok(&mut cmd);
    serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", out.all_output()))
}

fn md5_hex(s: &str) -> String {
    use md5_crate::{Digest, Md5};
    hex::encode(Md5::digest(s.as_bytes()))
}

fn copy_tree(from: &Path, to: &Path) {
    run_ok(Command::new("cp").arg("-a").arg(from).arg(to));
}

fn composer_in(dir: &Path, home: &Path) -> Command {
    let mut cmd = Command::new("composer");
    cmd.current_dir(dir)
        .env("HOME", home)
        .env("COMPOSER_HOME", home)
        .env("COMPOSER_CACHE_DIR", home.join("cache"))
        .env("COMPOSER_NO_INTERACTION", "1")
        .env("COMPOSER_ALLOW_SUPERUSER", "1")
        .env_remove("COMPOSER")
        .env_remove("COMPOSER_VENDOR_DIR");
    cmd
}

fn magefetch_in(dir: &Path) -> Command {
    let mut cmd = Command::new(support::project::magefetch_bin());
    cmd.current_dir(dir)
        .env_remove("COMPOSER")
        .env_remove("COMPOSER_VENDOR_DIR");
    cmd
}

/// Real Composer is required in CI (MAGEFETCH_REQUIRE_COMPOSER); elsewhere the test skips.
fn have_composer() -> bool {
    if composer_available() {
        return true;
    }
    assert!(
        std::env::var_os("MAGEFETCH_REQUIRE_COMPOSER").is_none(),
        "composer and php are required (MAGEFETCH_REQUIRE_COMPOSER is set)"
    );
    eprintln!("composer not installed: skipping");
    false
}

/// Adds root autoload rules (psr-4, psr-0, classmap, files, exclude, autoload-dev) and the
/// files they point at to a fixture project, keeping its lock fresh.
fn add_root_autoload(project: &Project) {
    let dir = &project.dir;
    let files = [
        ("src/Service/Greeter.php", "<?php\nnamespace App\\Service;\n\nclass Greeter\n{\n    public function greet(): string\n    {\n        return 'hello ' . helpers_strings_upper('world');\n    }\n}\n"),
        ("src/Wrong/Misplaced.php", "<?php\nnamespace App\\Elsewhere;\n\nclass Misplaced {}\n"),
        ("legacy/Old/Style/Thing.php", "<?php\nclass Old_Style_Thing {}\n"),
        ("classes/functions_and_classes.php", "<?php\nnamespace Root\\Mixed;\n\ninterface Contract {}\nclass Impl implements Contract {}\n"),
        ("classes/Skip/Ignored.php", "<?php\nnamespace Root\\Mixed\\Skip;\n\nclass Ignored {}\n"),
        ("bootstrap.php", "<?php\n$GLOBALS['root_bootstrap'] = defined('HELPERS_STRINGS_LOADED');\n"),
        ("tests/Support/Helper.php", "<?php\nnamespace App\\Tests\\Support;\n\nclass Helper {}\n"),
    ];
    for (path, text) in files {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    let path = dir.join("composer.json");
    let mut manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    manifest["autoload"] = json!({
        "psr-4": {"App\\": "src/"},
        "psr-0": {"Old_": "legacy/"},
        "classmap": ["classes/"],
        "files": ["bootstrap.php"],
        "exclude-from-classmap": ["classes/Skip/"]
    });
    manifest["autoload-dev"] = json!({"psr-4": {"App\\Tests\\": "tests/"}});
    std::fs::write(&path, serde_json::to_string_pretty(&manifest).unwrap()).unwrap();
    let lock_path = dir.join("composer.lock");
    let mut lock: Value =
        serde_json::from_str(&std::fs::read_to_string(&lock_path).unwrap()).unwrap();
    lock["content-hash"] = json!(magefetch::composer::content_hash::content_hash(&manifest));
    std::fs::write(&lock_path, magefetch::composer::json::to_pretty(&lock)).unwrap();
}

const LOAD_CHECK: &str = r#"
require 'vendor/autoload.php';
$checks = array(
    'psr-4 package' => class_exists('LogKit\Logger\Logger'),
    'psr-4 magento module' => class_exists('Acme\Catalog\Model\Catalog'),
    'psr-0 underscore' => class_exists('Legacy_Widget_Button'),
    'psr-0 namespaced' => class_exists('LegacyNs\Util\Helper_Sub'),
    'classmap class' => class_exists('Classmap\Models\Circle'),
    'classmap interface' => interface_exists('Classmap\Models\Shape'),
    'classmap enum' => enum_exists('Classmap\Models\Color'),
    'classmap trait' => trait_exists('Classmap\Models\Named'),
    'classmap braced namespace' => class_exists('Classmap\Legacy\Record'),
    'classmap global class' => class_exists('Classmap_GlobalRecord'),
    'classmap .inc file' => class_exists('Classmap\Extra\Single'),
    'excluded from classmap' => !class_exists('Classmap\Excluded\Skipped'),
    'not in classmap' => !class_exists('Classmap\Extra\NotListed'),
    'dot directory skipped' => !class_exists('Classmap\Hidden\Hidden'),
    'no class from a string' => !class_exists('QuotedFake') && !class_exists('Classmap\Models\HeredocFake'),
    'files in dependency order' => helpers_format_banner() === 'FORMATTED',
    'registration.php files ran' => count(Acme\Framework\Component\ComponentRegistrar::getPaths('module')) >= 16,
    'root psr-4' => (new App\Service\Greeter())->greet() === 'hello WORLD',
    'root psr-0' => class_exists('Old_Style_Thing'),
    'root classmap' => class_exists('Root\Mixed\Impl'),
    'root exclude' => !class_exists('Root\Mixed\Skip\Ignored'),
    'root files after packages' => $GLOBALS['root_bootstrap'] === true,
    'root autoload-dev' => class_exists('App\Tests\Support\Helper'),
    'installed versions' => Composer\InstalledVersions::getPrettyVersion('logkit/logger') === '2.3.1'
        && Composer\InstalledVersions::isInstalled('acme/framework'),
    'registered loader' => array_keys(Composer\Autoload\ClassLoader::getRegisteredLoaders()) === array(realpath('vendor')),
);
$failed = array_keys(array_filter($checks, function ($ok) { return !$ok; }));
echo $failed ? 'FAILED: ' . implode(', ', $failed) : 'OK';
"#;

fn php_available() -> bool {
    Command::new("php")
        .arg("-v")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn php_loads_psr4_psr0_classmap_and_files_autoloads() {
    if !php_available() {
        assert!(
            std::env::var_os("MAGEFETCH_REQUIRE_COMPOSER").is_none(),
            "php is required"
        );
        return;
    }
    let world = World::new();
    let project = world.project("p");
    add_root_autoload(&project);
    let out = run_ok(project.magefetch().arg("install"));
    assert!(
        out.stdout.contains("Generated autoload files"),
        "{}",
        out.stdout
    );
    for flags in [&[][..], &["-o"], &["-a"], &["--no-dev"], &["--dev"]] {
        if !flags.is_empty() {
            run_ok(project.magefetch().arg("dump-autoload").args(flags));
        }
        let out = run(Command::new("php")
            .current_dir(&project.dir)
            .arg("-r")
            .arg(LOAD_CHECK));
        let expected = if flags == ["--no-dev"] {
            "FAILED: root autoload-dev"
        } else {
            "OK"
        };
        assert_eq!(
            out.stdout,
            expected,
            "flags {flags:?}: {}",
            out.all_output()
        );
    }
    // -a: the loader does not look beyond the class map.
    run_ok(project.magefetch().args(["dump-autoload", "-a"]));
    let real =
        std::fs::read_to_string(project.vendor().join("composer/autoload_real.php")).unwrap();
    assert!(real.contains("setClassMapAuthoritative(true)"));
    // -o reports the PSR violation like Composer.
    let out = run_ok(project.magefetch().args(["dump-autoload", "-o"]));
    assert!(
        out.stderr.contains("Class App\\Elsewhere\\Misplaced located in ./src/Wrong/Misplaced.php does not comply with psr-4 autoloading standard. Skipping."),
        "{}",
        out.stderr
    );
    assert!(
        out.stdout
            .contains("Generated optimized autoload files containing"),
        "{}",
        out.stdout
    );
}

#[test]
fn no_autoloader_skips_it_and_reruns_rewrite_nothing() {
    let world = World::new();
    let project = world.project("p");
    let out = run_ok(project.magefetch().args(["install", "--no-autoloader"]));
    assert!(!out.stdout.contains("autoload"), "{}", out.stdout);
    assert!(!project.vendor().join("autoload.php").exists());
    assert!(!project.vendor().join("composer/autoload_real.php").exists());
    run_ok(project.magefetch().arg("dump-autoload"));
    let files = [
        "autoload.php",
        "composer/autoload_real.php",
        "composer/autoload_static.php",
        "composer/autoload_psr4.php",
        "composer/autoload_namespaces.php",
        "composer/autoload_classmap.php",
        "composer/autoload_files.php",
        "composer/ClassLoader.php",
        "composer/InstalledVersions.php",
    ];
    let stamp = |p: &str| {
        std::fs::metadata(project.vendor().join(p))
            .unwrap()
            .modified()
            .unwrap()
    };
    let before: Vec<_> = files.iter().map(|f| stamp(f)).collect();
    std::thread::sleep(std::time::Duration::from_millis(20));
    run_ok(project.magefetch().arg("install"));
    run_ok(project.magefetch().arg("dump-autoload"));
    let after: Vec<_> = files.iter().map(|f| stamp(f)).collect();
    assert_eq!(before, after, "unchanged autoload files were rewritten");
    // The suffix comes from the lock and is kept.
    let autoload = std::fs::read_to_string(project.vendor().join("autoload.php")).unwrap();
    let lock: Value =
        serde_json::from_str(&std::fs::read_to_string(project.dir.join("composer.lock")).unwrap())
            .unwrap();
    assert!(autoload.contains(&format!(
        "ComposerAutoloaderInit{}::getLoader()",
        lock["content-hash"].as_str().unwrap()
    )));
}

/// Runs the resolver in `dir` for `classes` and returns its JSON.
fn resolve(dir: &Path, classes: &Path, scratch: &Path) -> Value {
    php(RESOLVER, &[dir, classes], scratch)
}

fn compare_maps(label: &str, ours: &Value, theirs: &Value) -> usize {
    let a = ours.as_object().unwrap();
    let b = theirs.as_object().unwrap();
    let differing: BTreeMap<&String, (&Value, Option<&Value>)> = a
        .iter()
        .filter(|(k, v)| b.get(*k) != Some(*v))
        .map(|(k, v)| (k, (v, b.get(k))))
        .collect();
    assert!(
        differing.is_empty() && a.len() == b.len(),
        "{label}: {} of {} differ (class: (magefetch, composer)): {differing:#?}",
        differing.len(),
        a.len()
    );
    a.len()
}

/// Both trees answer alike, for `magefetch dump-autoload [flag]` vs `composer dump-autoload [flag]`.
/// `composer dump-autoload` does not write InstalledVersions.php (only `composer install` does),
/// magefetch's dump does: without an install on Composer's side that one class is left out.
fn differential(
    ours: &Path,
    theirs: &Path,
    home: &Path,
    scratch: &Path,
    check_installed: bool,
) -> usize {
    // The class list: everything Composer's optimized class map knows.
    run_ok(composer_in(theirs, home).args(["dump-autoload", "-o", "--no-plugins", "--no-scripts"]));
    let mut composer_map = php(CLASSMAP_DUMP, &[theirs], scratch);
    let mut skipped = Vec::new();
    if !check_installed {
        skipped.push("Composer\\InstalledVersions");
        composer_map.as_object_mut().unwrap().remove(skipped[0]);
    }
    let classes: Vec<&String> = composer_map.as_object().unwrap().keys().collect();
    let list = scratch.join("classes.json");
    std::fs::write(&list, serde_json::to_string(&classes).unwrap()).unwrap();

    run_ok(magefetch_in(ours).args(["dump-autoload", "-o"]));
    let mut our_map = php(CLASSMAP_DUMP, &[ours], scratch);
    for class in &skipped {
        our_map.as_object_mut().unwrap().remove(*class);
    }
    compare_maps("optimized class map", &our_map, &composer_map);

    let mut compared = 0;
    for flags in [&["-o"][..], &[]] {
        run_ok(
            composer_in(theirs, home)
                .arg("dump-autoload")
                .args(flags)
                .args(["--no-plugins", "--no-scripts"]),
        );
        run_ok(magefetch_in(ours).arg("dump-autoload").args(flags));
        let a = resolve(ours, &list, scratch);
        let b = resolve(theirs, &list, scratch);
        compared = compare_maps(&format!("findFile {flags:?}"), &a["classes"], &b["classes"]);
        // Every class resolves to a real file.
        assert!(a["classes"]
            .as_object()
            .unwrap()
            .values()
            .all(|v| v.as_str().is_some_and(|s| !s.starts_with("missing:"))));
        if check_installed {
            assert!(!a["installed"].is_null());
            assert_eq!(a["installed"], b["installed"], "InstalledVersions differs");
        }
    }
    compared
}

#[test]
fn resolves_the_fixture_project_like_composer() {
    if !have_composer() {
        return;
    }
    let world = World::new();
    let project = world.project("p");
    add_root_autoload(&project);
    run_ok(project.magefetch().arg("install"));
    let ours = world.tmp.path().join("ours");
    let theirs = world.tmp.path().join("theirs");
    copy_tree(&project.dir, &ours);
    copy_tree(&project.dir, &theirs);
    // Composer's own install of the same tree: its installed.php and InstalledVersions.php.
    let mut composer = composer_in(&theirs, &project.home);
    let out = run_ok(composer.args(["install", "--no-plugins", "--no-scripts", "-n"]));
    assert!(
        out.all_output().contains("Nothing to install"),
        "{}",
        out.all_output()
    );
    let scratch = world.tmp.path().join("scratch");
    std::fs::create_dir_all(&scratch).unwrap();
    let compared = differential(&ours, &theirs, &project.home, &scratch, true);
    eprintln!("fixture project: {compared} classes resolved identically");
    assert!(compared >= 60, "{compared}");
    let installed = resolve(&ours, &scratch.join("classes.json"), &scratch)["installed"].clone();
    assert!(installed["each"].as_object().unwrap().len() >= 40);
}

/// Debian's PHP libraries (Composer's own sources, Symfony, PSR, React, Seld, JsonSchema).
/// Writes `manifest` as the composer.json of the project tree `ours` (no vendor/ yet), copies
/// the tree for Composer and runs [`differential`] (both class maps, without an install).
fn differential_on_a_copy(tmp: &Path, ours: &Path, manifest: &Value) -> usize {
    std::fs::write(
        ours.join("composer.json"),
        serde_json::to_string_pretty(manifest).unwrap(),
    )
    .unwrap();
    let theirs = tmp.join("theirs");
    copy_tree(ours, &theirs);
    let home = tmp.join("home");
    std::fs::create_dir_all(&home).unwrap();
    let scratch = tmp.join("scratch");
    std::fs::create_dir_all(&scratch).unwrap();
    differential(ours, &theirs, &home, &scratch, false)
}

fn corpus_dir() -> Option<PathBuf> {
    let dir = PathBuf::from("/usr/share/php");
    dir.join("Composer/Autoload").is_dir().then_some(dir)
}

#[test]
fn resolves_debians_php_libraries_like_composer() {
    if !have_composer() {
        return;
    }
    let Some(corpus) = corpus_dir() else {
        assert!(
            std::env::var_os("MAGEFETCH_REQUIRE_COMPOSER").is_none(),
            "/usr/share/php is missing"
        );
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let ours = tmp.path().join("ours");
    std::fs::create_dir_all(&ours).unwrap();
    copy_tree(&corpus, &ours.join("lib"));
    // Every kind of rule over real code: PSR-4 for most, PSR-0 for two, a class map (with an
    // exclusion) for others, and a dev rule.
    let manifest = json!({
        "name": "corpus/root",
        "autoload": {
            "psr-4": {
                "Composer\\": "lib/Composer/",
                "Symfony\\Component\\Console\\": "lib/Symfony/Component/Console/",
                "Symfony\\Component\\": ["lib/Symfony/Component/"],
                "Psr\\Log\\": "lib/Psr/Log/",
                "React\\Promise\\": "lib/React/Promise/"
            },
            "psr-0": {"JsonSchema\\": "lib/", "Seld\\": "lib/"},
            "classmap": ["lib/Psr/Container/", "lib/Composer/Pcre/"],
            "exclude-from-classmap": ["lib/Composer/Pcre/PHPStan/"]
        },
        "autoload-dev": {"classmap": ["lib/Symfony/Component/Process/"]}
    });
    let compared = differential_on_a_copy(tmp.path(), &ours, &manifest);
    eprintln!("Debian corpus: {compared} classes resolved identically");
    assert!(compared >= 400, "{compared}");
}

#[test]
fn config_keys_steer_the_generated_loader() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(
        dir.join("src/Thing.php"),
        "<?php\nnamespace Cfg;\n\nclass Thing {}\n",
    )
    .unwrap();
    let manifest = json!({
        "name": "cfg/root",
        "autoload": {"psr-4": {"Cfg\\": "src/"}},
        "include-path": ["lib/"],
        "config": {
            "classmap-authoritative": true,
            "autoloader-suffix": "CfgSuffix1",
            "prepend-autoloader": false,
            "use-include-path": true
        }
    });
    std::fs::write(dir.join("composer.json"), manifest.to_string()).unwrap();
    let out = run_ok(magefetch_in(dir).args(["dump-autoload", "--format", "json"]));
    let result: Value = serde_json::from_str(out.stdout.trim()).unwrap();
    // classmap-authoritative implies the optimized scan: Cfg\Thing and InstalledVersions.
    assert_eq!(result["authoritative"], json!(true));
    assert_eq!(result["classes"], json!(2));
    let real = std::fs::read_to_string(dir.join("vendor/composer/autoload_real.php")).unwrap();
    assert!(real.contains("class ComposerAutoloaderInitCfgSuffix1"));
    assert!(real.contains("$loader->setClassMapAuthoritative(true);"));
    assert!(real.contains("$loader->setUseIncludePath(true);"));
    assert!(real.contains("$loader->register(false);"));
    assert!(real.contains("require __DIR__ . '/include_paths.php';"));
    let include = std::fs::read_to_string(dir.join("vendor/composer/include_paths.php")).unwrap();
    assert!(include.contains("    $baseDir . '/lib',\n"), "{include}");
    let classmap =
        std::fs::read_to_string(dir.join("vendor/composer/autoload_classmap.php")).unwrap();
    assert!(
        classmap.contains("'Cfg\\\\Thing' => $baseDir . '/src/Thing.php',"),
        "{classmap}"
    );
    // optimize-autoloader alone.
    let manifest =
        json!({"autoload": {"psr-4": {"Cfg\\": "src/"}}, "config": {"optimize-autoloader": true}});
    std::fs::write(dir.join("composer.json"), manifest.to_string()).unwrap();
    let out = run_ok(magefetch_in(dir).arg("dump-autoload"));
    assert!(
        out.stdout
            .contains("Generated optimized autoload files containing 2 classes"),
        "{}",
        out.stdout
    );
    // The suffix of the existing autoload.php is kept once config no longer names one.
    let real = std::fs::read_to_string(dir.join("vendor/composer/autoload_real.php")).unwrap();
    assert!(real.contains("class ComposerAutoloaderInitCfgSuffix1"));
    assert!(real.contains("$loader->register(true);"));
    assert!(!dir.join("vendor/composer/include_paths.php").exists());
}

/// The class-map walk on the shapes the parallel reader has to get right: a directory with more
/// subdirectories than the reader keeps open at once, a symlinked directory and a symlinked
/// file (the same real files reached twice), a scan root inside another, hidden and VCS
/// directories, and an exclusion met both directly and through the link.
#[test]
fn walks_wide_linked_and_nested_trees_like_composer() {
    if !have_composer() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let ours = tmp.path().join("ours");
    let lib = ours.join("lib");
    let write = |path: &Path, text: &str| {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    for i in 0..300 {
        write(
            &lib.join(format!("wide/D{i:03}/C{i}.php")),
            &format!("<?php\nnamespace Wide\\D{i:03};\n\nclass C{i} {{}}\n"),
        );
    }
    write(
        &lib.join("real/Pkg/Foo.php"),
        "<?php\nnamespace Real\\Pkg;\n\nclass Foo {}\n",
    );
    write(
        &lib.join("real/Pkg/Deep/Er/Bar.php"),
        "<?php\nnamespace Real\\Pkg\\Deep\\Er;\n\ninterface Bar {}\n",
    );
    write(
        &lib.join("real/Pkg/Skip/Hidden.php"),
        "<?php\nnamespace Real\\Pkg\\Skip;\n\nclass Hidden {}\n",
    );
    write(&lib.join("real/.git/Nope.php"), "<?php\nclass DotNope {}\n");
    write(&lib.join("real/CVS/Nope.php"), "<?php\nclass CvsNope {}\n");
    write(&lib.join("other/Solo.php"), "<?php\nclass Solo_Thing {}\n");
    // Relative targets: the copy for Composer must link inside itself.
    std::os::unix::fs::symlink("real", lib.join("linked")).unwrap();
    std::os::unix::fs::symlink("other/Solo.php", lib.join("solo-link.php")).unwrap();
    std::os::unix::fs::symlink("missing", lib.join("dangling")).unwrap();
    let manifest = json!({
        "name": "walk/root",
        "autoload": {
            "psr-4": {"Wide\\": "lib/wide/", "Real\\": ["lib/real/", "lib/linked/"]},
            "classmap": ["lib/", "lib/other/Solo.php"],
            "exclude-from-classmap": ["lib/real/Pkg/Skip/"]
        }
    });
    let compared = differential_on_a_copy(tmp.path(), &ours, &manifest);
    assert!(compared >= 303, "{compared}");
    let map = std::fs::read_to_string(ours.join("vendor/composer/autoload_classmap.php")).unwrap();
    for absent in ["Hidden", "DotNope", "CvsNope"] {
        assert!(
            !map.contains(absent),
            "{absent} is in the class map:\n{map}"
        );
    }
}

/// platform_check.php against Composer's, for each `platform-check` mode and with ignored
/// requirements: the root's and installed packages' `php` lower bounds (a dev package's left
/// out), extensions (one provided by a package, pcntl's CLI exception, zend-opcache's name).
#[test]
fn platform_check_matches_composers() {
    if !have_composer() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let package = |name: &str, require: Value, provide: Value| {
        json!({
            "name": name, "version": "1.0.0", "version_normalized": "1.0.0.0", "type": "library",
            "require": require, "provide": provide, "install-path": format!("../{name}")
        })
    };
    let installed = json!({
        "packages": [
            package("a/lib", json!({"php": ">=7.2.5", "ext-mbstring": "*", "ext-pcntl": "*"}), json!({})),
            package("b/lib", json!({"php": "^7.4 || ^8.0", "ext-zend-opcache": "*", "ext-intl": "*"}), json!({})),
            package("c/poly", json!({}), json!({"ext-intl": "*"})),
            package("d/dev", json!({"php": ">=8.3", "ext-xdebug": "*"}), json!({}))
        ],
        "dev": true,
        "dev-package-names": ["d/dev"]
    });
    let cases: [(&str, Value, &[&str]); 5] = [
        ("default", json!(null), &[]),
        ("full", json!(true), &[]),
        ("off", json!(false), &[]),
        (
            "full, ext-pcntl ignored",
            json!(true),
            &["--ignore-platform-req=ext-pcntl"],
        ),
        (
            "php ignored",
            json!("php-only"),
            &["--ignore-platform-req=php"],
        ),
    ];
    for (label, mode, flags) in cases {
        let mut manifest = json!({
            "name": "platform/root",
            "require": {"php": ">7.1 <9", "ext-json": "*"}
        });
        if !mode.is_null() {
            manifest["config"] = json!({"platform-check": mode});
        }
        let read = |tool: &str| -> Option<String> {
            let dir = tmp
                .path()
                .join(format!("{tool}-{}", label.replace([' ', ','], "_")));
            std::fs::create_dir_all(dir.join("vendor/composer")).unwrap();
            // Composer leaves out installed packages whose directory is missing.
            for p in installed["packages"].as_array().unwrap() {
                std::fs::create_dir_all(dir.join("vendor").join(p["name"].as_str().unwrap()))
                    .unwrap();
            }
            std::fs::write(dir.join("composer.json"), manifest.to_string()).unwrap();
            std::fs::write(
                dir.join("vendor/composer/installed.json"),
                serde_json::to_string_pretty(&installed).unwrap(),
            )
            .unwrap();
            let mut cmd = if tool == "composer" {
                let mut c = composer_in(&dir, &home);
                c.args(["dump-autoload", "--no-plugins", "--no-scripts"]);
                c
            } else {
                let mut c = magefetch_in(&dir);
                c.arg("dump-autoload");
                c
            };
            run_ok(cmd.args(flags));
            let real =
                std::fs::read_to_string(dir.join("vendor/composer/autoload_real.php")).unwrap();
            let text = std::fs::read_to_string(dir.join("vendor/composer/platform_check.php")).ok();
            assert_eq!(
                real.contains("require __DIR__ . '/platform_check.php';"),
                text.is_some(),
                "{tool}, {label}: autoload_real.php and platform_check.php disagree"
            );
            text.map(|t| t.replace("@generated by Composer", "@generated by magefetch"))
        };
        let theirs = read("composer");
        let ours = read("magefetch");
        assert_eq!(ours, theirs, "platform_check.php, {label}");
        if label == "default" {
            let text = ours.unwrap();
            assert!(text.contains("PHP_VERSION_ID >= 70400"), "{text}");
        }
        if label == "off" {
            assert!(theirs.is_none());
        }
    }
}
