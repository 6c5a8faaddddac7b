#!/usr/bin/env python3
"""Deterministic, Magento-size Composer "world" for scripts/bench.

  bench-world.py generate --packages FILE --out DIR [--jobs N]
      Builds one zip archive per package of FILE (a facts-only list of the packages of a real
      Magento 2.4.7-p1 composer.lock) under DIR/archives/, laid out like repo.magento.com
      (files at the archive root, SHA-1 in the lock) or like GitHub's zipballs (one top-level
      directory, empty shasum, a 40-hex reference), plus DIR/manifest.json describing them.
      The content is synthetic but shaped like the real thing: PHP classes, XML config, JS,
      LESS, templates, CSV, and incompressible binaries (fonts, images, a phar). The output
      depends only on this script and FILE: same bytes on every machine and every run.

  bench-world.py project --manifest DIR/manifest.json --url http://127.0.0.1:PORT \
                         --project DIR --repo-dir DIR
      Writes composer.json, composer.lock (with Composer's content-hash) and auth.json of the
      benchmark project, and packages.json (a v1 inline repository) for the web server.

Standard library only.
"""

import argparse
import hashlib
import json
import math
import os
import random
import sys
import time
import zipfile
from multiprocessing import Pool

SEED = "magefetch-bench-world-v1"
ZIP_DATE = (2024, 6, 11, 12, 0, 0)
BENCH_USER = hashlib.md5(b"magefetch-bench public key").hexdigest()
BENCH_PASS = hashlib.md5(b"magefetch-bench private key").hexdigest()

# Overall calibration: multiplies the size of every text file (binary sizes are separate).
TEXT_SCALE = 0.92
# Per-package extra scale of text files (magento2-base has larger files than the average).
PACKAGE_SCALE = {"magento/magento2-base": 1.9}

# Real packages that replace names other packages require (the facts list has no `replace`).
REPLACES = {
    "laminas/laminas-servicemanager": {"container-interop/container-interop": "^1.2.0"},
    "codeception/codeception": {"codeception/phpunit-wrapper": "*"},
}

# Executables shipped under bin/ (lock entry "bin", 0755 in the archive).
BINARIES = {
    "phpunit/phpunit": ["phpunit"],
    "friendsofphp/php-cs-fixer": ["php-cs-fixer"],
    "squizlabs/php_codesniffer": ["bin/phpcs", "bin/phpcbf"],
    "phpmd/phpmd": ["bin/phpmd"],
    "pdepend/pdepend": ["bin/pdepend"],
    "phpstan/phpstan": ["phpstan", "phpstan.phar"],
    "composer/composer": ["bin/composer"],
    "nikic/php-parser": ["bin/php-parse"],
    "seld/jsonlint": ["bin/jsonlint"],
    "psy/psysh": ["bin/psysh"],
    "rector/rector": ["bin/rector"],
    "codeception/codeception": ["codecept"],
    "magento/magento2-functional-testing-framework": ["bin/mftf"],
    "sebastian/phpcpd": ["phpcpd"],
}

# Binary assets of some libraries: (directory, kind, count).
EXTRA_BINARIES = {
    "magento/zend-pdf": [("library/Zend/Pdf/Resource/Font", "ttf", 14)],
    "endroid/qr-code": [("assets", "ttf", 2), ("assets", "png", 3)],
    "bacon/bacon-qr-code": [("test/Integration/__snapshots__", "png", 8)],
    "ezyang/htmlpurifier": [("library/HTMLPurifier/DefinitionCache/Serializer", "ico", 4)],
    "magento/module-page-builder": [("view/adminhtml/web/css/images/content-type", "png", 60),
                                    ("view/adminhtml/web/fonts/pagebuilder-icons", "woff2", 3)],
    "magento/module-swatches": [("view/adminhtml/web/images", "png", 20)],
    "magento/module-catalog": [("view/adminhtml/web/images", "png", 30), ("view/frontend/web/images", "jpg", 10)],
}

# Approximate file counts of the big packages of a real Magento 2.4.7 install.
FILE_COUNTS = {
    "magento/magento2-base": 8700,
    "magento/framework": 4000,
    "magento/module-page-builder": 3000,
    "aws/aws-sdk-php": 2500,
    "symfony/intl": 1400,
    "magento/module-catalog": 1400,
    "magento/module-sales": 1100,
    "friendsofphp/php-cs-fixer": 900,
    "ezyang/htmlpurifier": 900,
    "magento/module-customer": 700,
    "squizlabs/php_codesniffer": 700,
    "magento/module-ui": 650,
    "magento/module-backend": 600,
    "magento/magento2-functional-testing-framework": 600,
    "magento/module-checkout": 500,
    "magento/module-eav": 450,
    "webonyx/graphql-php": 450,
    "magento/module-quote": 400,
    "magento/module-sales-rule": 400,
    "phpseclib/phpseclib": 400,
    "opensearch-project/opensearch-php": 450,
    "elasticsearch/elasticsearch": 450,
    "magento/module-configurable-product": 350,
    "phpunit/phpunit": 350,
    "magento/module-catalog-import-export": 300,
    "magento/module-bundle": 300,
    "magento/module-import-export": 300,
    "magento/module-inventory-sales": 300,
    "magento/module-cms": 300,
    "magento/module-config": 300,
    "magento/module-store": 300,
    "magento/module-payment": 250,
    "magento/module-tax": 250,
    "magento/module-directory": 200,
    "magento/module-theme": 300,
    "laminas/laminas-validator": 200,
    "laminas/laminas-db": 250,
    "laminas/laminas-view": 250,
    "symfony/console": 200,
    "symfony/http-kernel": 250,
    "symfony/dependency-injection": 250,
    "braintree/braintree_php": 300,
    "rector/rector": 300,
    "nikic/php-parser": 300,
    "composer/composer": 350,
    "magento/zend-pdf": 250,
    "web-token/jwt-framework": 350,
    "spomky-labs/pki-framework": 300,
    "codeception/codeception": 300,
    "psy/psysh": 200,
}

WORDS = (
    "product customer order quote price store config attribute category cache request response "
    "data item collection resource model factory repository manager provider handler builder "
    "validator serializer logger event observer plugin helper block controller action layout "
    "template view asset url path file directory stream adapter connection query select table "
    "column index key value entity type option source backend frontend scope website group rule "
    "condition filter search criteria result page widget image media gallery stock inventory "
    "shipping payment tax total address region country currency locale translation message "
    "exception session token auth user role acl api service contract extension metadata schema "
    "setup patch upgrade install declaration queue consumer publisher topic cron job schedule "
    "email sender notification indexer mview state flag lock deploy static compiler generator "
    "proxy interceptor object pool registry context area router route uri http client cookie "
    "header body content format json xml csv array string integer float boolean date time "
    "timezone link sku qty weight status visibility position label title description name code "
    "identifier customer_group wishlist review rating sitemap newsletter subscriber invoice "
    "shipment creditmemo transaction method carrier rate discount coupon credit balance reward "
    "bundle configurable grouped virtual downloadable swatch tier special final regular minimal "
    "maximal base row grid listing form field fieldset container component element renderer "
    "mapper converter processor resolver locator reader writer loader parser dumper encoder "
    "decoder storage adapter driver pdo mysql redis varnish elastic opensearch document node tree "
    "parent child level count limit offset page_size sort direction ascending descending default "
    "global admin system catalog sales checkout cart account login logout password confirm reset "
    "captcha security nonce hash signature certificate key_pair public private secret cipher"
).split()

PHP_TYPES = ["int", "string", "bool", "float", "array", "?string", "?int", "mixed", "iterable",
             "DataObject", "AbstractModel", "StoreInterface", "ProductInterface", "OrderInterface",
             "CustomerInterface", "SearchCriteriaInterface", "LoggerInterface", "ScopeConfigInterface"]

JS_DEPS = ["jquery", "underscore", "ko", "uiComponent", "uiRegistry", "uiLayout", "mage/translate",
           "mage/url", "Magento_Ui/js/modal/modal", "Magento_Customer/js/customer-data",
           "Magento_Checkout/js/model/quote", "mage/storage", "jquery/ui", "mageUtils", "domReady!"]


# Word frequencies in code are Zipf-like: a few words are everywhere. Word i appears
# ~ZIPF_TOP/(i+1) times in this list, so r.choice(ZWORDS) draws from that distribution.
ZIPF_TOP, ZIPF_S = 300, 1.25


def zipf_words(top, s):
    return [w for i, w in enumerate(WORDS) for _ in range(max(1, round(top / (i + 1) ** s)))]


ZWORDS = zipf_words(ZIPF_TOP, ZIPF_S)


# ----------------------------------------------------------------------------------------------
# naming helpers

def words(r, n):
    return [r.choice(ZWORDS) for _ in range(n)]


def pascal(r, n):
    return "".join(w.replace("_", " ").title().replace(" ", "") for w in words(r, n))


def camel(r, n):
    s = pascal(r, n)
    return s[0].lower() + s[1:]


def snake(r, n):
    return "_".join(words(r, n))


def kebab(r, n):
    return "-".join(w.replace("_", "-") for w in words(r, n))


def sentence(r, lo=4, hi=12):
    s = " ".join(r.choice(ZWORDS).replace("_", " ") for _ in range(r.randint(lo, hi)))
    return s[0].upper() + s[1:] + "."


def pascal_of(slug):
    return "".join(p[:1].upper() + p[1:] for p in slug.replace("_", "-").replace(".", "-").split("-") if p)


# ----------------------------------------------------------------------------------------------
# fragment pools: built once per process from a fixed seed, then picked from per file

# Pool fragments refer to the names of "their" file through placeholders (\x00N\x00), replaced
# per file: a class keeps using its own properties and variables, as real code does.
N_LOCAL = 10


def loc(r, n=1):
    """A file-local name (placeholder) most of the time, otherwise a fresh one."""
    return f"\x00{r.randrange(N_LOCAL)}\x00" if r.random() < 0.6 else camel(r, n)


def localize(r, text):
    for i in range(N_LOCAL):
        text = text.replace(f"\x00{i}\x00", camel(r, r.randint(1, 3)))
    return text


def php_statement(r, ind):
    v = "$" + loc(r, r.randint(1, 2))
    p = loc(r, r.randint(1, 2))
    k = r.random()
    if k < 0.22:
        return f"{ind}{v} = $this->{p}->{camel(r, 2)}(${loc(r)}, ${loc(r, 2)});"
    if k < 0.36:
        return f"{ind}{v} = $this->{loc(r, 2)}({v});"
    if k < 0.46:
        return f"{ind}$this->{p} = {v};"
    if k < 0.55:
        return f"{ind}{v}[] = sprintf('%s {r.choice(ZWORDS)} %d', {v}, {r.randint(0, 99)});"
    if k < 0.64:
        return (f"{ind}{v} = new {pascal(r, 2)}([\n{ind}    '{snake(r, 2)}' => ${loc(r, 1)},\n"
                f"{ind}    '{snake(r, 1)}' => {r.choice(['true', 'false', 'null', str(r.randint(0, 50))])},\n{ind}]);")
    if k < 0.72:
        return f"{ind}{v} = (int)($data['{snake(r, 2)}'] ?? {r.randint(0, 10)});"
    if k < 0.78:
        return f"{ind}// {sentence(r)}"
    if k < 0.84:
        return (f"{ind}throw new LocalizedException(\n{ind}    __('{sentence(r)[:-1]} \"%1\".', {v})\n{ind});")
    if k < 0.90:
        return f"{ind}{v} = $this->scopeConfig->getValue(self::XML_PATH_{snake(r, 2).upper()}, ScopeInterface::SCOPE_STORE, {v});"
    if k < 0.97:
        return f"{ind}{v} = array_merge({v}, $this->{p}->{camel(r, 2)}());"
    return f"{ind}{v} = 0x{r.getrandbits(16):04x} ^ {r.randint(0, 255)};"


def php_block(r, ind, depth=0):
    out = []
    for _ in range(r.randint(2, 9)):
        k = r.random()
        if depth < 2 and k < 0.12:
            out.append(f"{ind}if (${loc(r, 1)} === null || !$this->{loc(r, 2)}->{camel(r, 2)}()) {{")
            out.extend(php_block(r, ind + "    ", depth + 1))
            out.append(f"{ind}}}")
        elif depth < 2 and k < 0.2:
            out.append(f"{ind}foreach (${loc(r, 1)} as $key => ${loc(r, 1)}) {{")
            out.extend(php_block(r, ind + "    ", depth + 1))
            out.append(f"{ind}}}")
        else:
            out.append(php_statement(r, ind))
    return out


def php_method(r):
    params = [(r.choice(PHP_TYPES), loc(r, r.randint(1, 2))) for _ in range(r.randint(0, 3))]
    ret = r.choice(PHP_TYPES + ["void", "self", "bool"])
    lines = ["    /**", f"     * {sentence(r)}"]
    if r.random() < 0.4:
        lines.append(f"     * {sentence(r, 6, 16)}")
    lines.append("     *")
    for t, p in params:
        lines.append(f"     * @param {t} ${p}")
    lines.append(f"     * @return {ret}")
    if r.random() < 0.3:
        lines.append(f"     * @throws {pascal(r, 2)}Exception")
    lines.append("     */")
    vis = r.choice(["public", "public", "public", "protected", "private"])
    sig = ", ".join(f"{t} ${p}" for t, p in params)
    lines.append(f"    {vis} function {camel(r, r.randint(1, 3))}({sig}): {ret}")
    lines.append("    {")
    lines.extend(php_block(r, "        "))
    if ret != "void":
        lines.append(f"        return ${loc(r, 1)};")
    lines.append("    }")
    return "\n".join(lines) + "\n"


def xml_fragment(r):
    k = r.random()
    cls = f"Magento\\{pascal(r, 1)}\\{r.choice(['Model', 'Block', 'Plugin', 'Api'])}\\{pascal(r, 2)}"
    if k < 0.3:
        args = "\n".join(
            f'            <argument name="{camel(r, 2)}" xsi:type="{r.choice(["object", "string", "array", "boolean"])}">'
            f"{cls}{pascal(r, 1)}</argument>" for _ in range(r.randint(1, 4)))
        return f'    <type name="{cls}">\n        <arguments>\n{args}\n        </arguments>\n    </type>\n'
    if k < 0.45:
        return f'    <preference for="{cls}Interface" type="{cls}"/>\n'
    if k < 0.7:
        return (f'    <field id="{snake(r, 2)}" translate="label comment" type="{r.choice(["select", "text", "multiselect"])}" '
                f'sortOrder="{r.randint(1, 50) * 10}" showInDefault="1" showInWebsite="1" showInStore="{r.randint(0, 1)}">\n'
                f"        <label>{sentence(r, 2, 4)[:-1]}</label>\n        <comment>{sentence(r)}</comment>\n"
                f"        <source_model>{cls}</source_model>\n    </field>\n")
    if k < 0.88:
        return (f'    <column xsi:type="{r.choice(["int", "varchar", "text", "decimal", "timestamp", "smallint"])}" '
                f'name="{snake(r, 2)}" nullable="{r.choice(["true", "false"])}" '
                f'comment="{sentence(r, 2, 5)[:-1]}"/>\n')
    return (f'    <block class="{cls}" name="{snake(r, 2).replace("_", ".")}" template="Magento_{pascal(r, 1)}::{snake(r, 2)}.phtml">\n'
            f'        <arguments>\n            <argument name="view_model" xsi:type="object">{cls}</argument>\n'
            f"        </arguments>\n    </block>\n")


def js_fragment(r):
    lines = [f"        /**", f"         * {sentence(r)}", "         *"]
    params = [camel(r, 1) for _ in range(r.randint(0, 3))]
    for p in params:
        lines.append(f"         * @param {{{r.choice(['Object', 'String', 'Number', 'Array', 'Boolean'])}}} {p}")
    lines.append(f"         * @returns {{{r.choice(['Object', 'exports', 'Boolean', 'void'])}}}")
    lines.append("         */")
    lines.append(f"        {camel(r, 2)}: function ({', '.join(params)}) {{")
    for _ in range(r.randint(2, 10)):
        k = r.random()
        v = camel(r, r.randint(1, 2))
        if k < 0.3:
            lines.append(f"            var {v} = this.{camel(r, 2)}({', '.join(params[:1])});")
        elif k < 0.5:
            lines.append(f"            $(this.element).find('.{kebab(r, 2)}').{r.choice(['addClass', 'removeClass', 'toggleClass'])}('_{r.choice(ZWORDS)}');")
        elif k < 0.65:
            lines.append(f"            if (!{v}) {{\n                return {r.choice(['false', 'this', 'null'])};\n            }}")
        elif k < 0.8:
            lines.append(f"            this.{v}($t('{sentence(r, 2, 6)}'));")
        else:
            lines.append(f"            _.each(this.{v}, function (item) {{\n                item.{camel(r, 1)} = {r.randint(0, 1000)};\n            }});")
    lines.append("        },")
    return "\n".join(lines) + "\n"


def less_fragment(r):
    sel = "." + kebab(r, r.randint(1, 3))
    props = []
    for _ in range(r.randint(2, 8)):
        k = r.random()
        if k < 0.3:
            props.append(f"    .lib-css({r.choice(['color', 'background', 'border-color', 'margin', 'padding'])}, @{snake(r, 2).replace('_', '-')}__{r.choice(['color', 'size', 'indent'])});")
        elif k < 0.6:
            props.append(f"    {r.choice(['margin', 'padding', 'top', 'left', 'width', 'height'])}: {r.randint(0, 40)}px {r.randint(0, 40)}px;")
        elif k < 0.8:
            props.append(f"    {r.choice(['color', 'background-color', 'border-color'])}: #{r.getrandbits(24):06x};")
        else:
            props.append(f"    &:{r.choice(['hover', 'focus', 'active', 'before'])} {{\n        {r.choice(['display', 'visibility'])}: {r.choice(['none', 'block', 'inline-block', 'hidden'])};\n    }}")
    return f"{sel} {{\n" + "\n".join(props) + "\n}\n\n"


def phtml_fragment(r):
    return (f'<div class="{kebab(r, 2)}">\n'
            f"    <?php if ($block->{camel(r, 2)}()): ?>\n"
            f'        <span class="{kebab(r, 1)}"><?= $escaper->escapeHtml(__(\'{sentence(r, 2, 6)}\')) ?></span>\n'
            f"        <a href=\"<?= $escaper->escapeUrl($block->getUrl('{snake(r, 1)}/{snake(r, 1)}')) ?>\">"
            f"<?= $escaper->escapeHtml($block->{camel(r, 2)}()) ?></a>\n"
            f"    <?php endif; ?>\n</div>\n")


def html_fragment(r):
    return (f'<div class="{kebab(r, 2)}" data-bind="visible: {camel(r, 2)}, css: {{\'_{r.choice(ZWORDS)}\': {camel(r, 1)}}}">\n'
            f"    <span data-bind=\"i18n: '{sentence(r, 2, 6)}'\"></span>\n"
            f"    <!-- ko foreach: {camel(r, 1)} -->\n    <div data-bind=\"text: {camel(r, 1)}\"></div>\n    <!-- /ko -->\n</div>\n")


def csv_line(r):
    src = sentence(r, 1, 8)
    words = src[:-1].split()
    r.shuffle(words)
    return f'"{src}","{" ".join(words).capitalize()}."\n'


def md_para(r):
    if r.random() < 0.2:
        return f"## {sentence(r, 2, 5)[:-1]}\n\n"
    if r.random() < 0.2:
        return "".join(f"- {sentence(r, 3, 9)}\n" for _ in range(r.randint(2, 6))) + "\n"
    return " ".join(sentence(r) for _ in range(r.randint(2, 6))) + "\n\n"


POOLS = {}


def build_pools():
    if POOLS:
        return
    r = random.Random(SEED + "/pools")
    POOLS["php"] = [php_method(r) for _ in range(4000)]
    POOLS["xml"] = [xml_fragment(r) for _ in range(2500)]
    POOLS["js"] = [js_fragment(r) for _ in range(2500)]
    POOLS["less"] = [less_fragment(r) for _ in range(1500)]
    POOLS["phtml"] = [phtml_fragment(r) for _ in range(1000)]
    POOLS["html"] = [html_fragment(r) for _ in range(1000)]
    POOLS["csv"] = [csv_line(r) for _ in range(10000)]
    POOLS["md"] = [md_para(r) for _ in range(1000)]


def fill(r, pool, size):
    out, n = [], 0
    while n < size:
        f = pool[r.randrange(len(pool))]
        out.append(f)
        n += len(f)
    return out


# ----------------------------------------------------------------------------------------------
# file contents

USE_PARTS = ["Model", "Api", "Api\\Data", "Helper"]
COPYRIGHT = "/**\n * Copyright © Magento, Inc. All rights reserved.\n * See COPYING.txt for license details.\n */\n"


def php_file(r, ns, cls, size):
    uses = sorted({"use Magento\\" + pascal(r, 1) + "\\" + r.choice(USE_PARTS) + "\\" + pascal(r, 2) + ";"
                   for _ in range(r.randint(2, 9))})
    props = [(r.choice(PHP_TYPES[9:]), camel(r, 2)) for _ in range(r.randint(1, 5))]
    head = ["<?php", COPYRIGHT + "declare(strict_types=1);", "", f"namespace {ns};", ""]
    head += uses
    head += ["", "/**", f" * {sentence(r)}", " */"]
    kind = r.random()
    if cls.endswith("Interface"):
        head.append(f"interface {cls}")
    elif kind < 0.5:
        head.append(f"class {cls} extends {pascal(r, 1)}{r.choice(['Abstract', 'Base', 'Model', 'Action'])}")
    else:
        head.append(f"class {cls} implements {pascal(r, 2)}Interface")
    head.append("{")
    for t, p in props:
        head += [f"    /**", f"     * @var {t}", "     */", f"    private ${p};", ""]
    head.append("    /**")
    for t, p in props:
        head.append(f"     * @param {t} ${p}")
    head += ["     */", "    public function __construct(",
             ",\n".join(f"        {t} ${p}" for t, p in props), "    ) {"]
    head += [f"        $this->{p} = ${p};" for t, p in props]
    head += ["    }", ""]
    text = "\n".join(head) + "\n"
    body = fill(r, POOLS["php"], size - len(text))
    return localize(r, text + "\n".join(body) + "}\n")


def xml_file(r, size):
    head = (f'<?xml version="1.0"?>\n<!--\n{COPYRIGHT}-->\n'
            f'<config xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            f'xsi:noNamespaceSchemaLocation="urn:magento:framework:{pascal(r, 1)}/etc/{snake(r, 1)}.xsd">\n')
    return head + "".join(fill(r, POOLS["xml"], size - len(head))) + "</config>\n"


def js_file(r, size):
    deps = r.sample(JS_DEPS, r.randint(1, 5))
    args = ", ".join(pascal_of(d.split("/")[-1]).replace("!", "") or "dep" for d in deps)
    head = (f"/**\n * Copyright © Magento, Inc. All rights reserved.\n * See COPYING.txt for license details.\n */\n\n"
            f"define([\n" + ",\n".join(f"    '{d}'" for d in deps) + f"\n], function ({args}) {{\n"
            f"    'use strict';\n\n    return {r.choice(['Component', 'Element', 'Collection'])}.extend({{\n"
            f"        defaults: {{\n            template: '{kebab(r, 1)}/{kebab(r, 2)}'\n        }},\n\n")
    return head + "".join(fill(r, POOLS["js"], size - len(head))) + "    });\n});\n"


def text_file(r, kind, size):
    if kind == "xml":
        return xml_file(r, size)
    if kind == "js":
        return js_file(r, size)
    if kind in ("less", "css"):
        return f"// {sentence(r)}\n\n" + "".join(fill(r, POOLS["less"], size))
    if kind == "phtml":
        head = f"<?php\n{COPYRIGHT}\n/** @var \\Magento\\Framework\\View\\Element\\Template $block */\n/** @var \\Magento\\Framework\\Escaper $escaper */\n?>\n"
        return head + "".join(fill(r, POOLS["phtml"], size - len(head)))
    if kind == "html":
        return f"<!--\n{COPYRIGHT}-->\n" + "".join(fill(r, POOLS["html"], size))
    if kind == "csv":
        return "".join(fill(r, POOLS["csv"], size))
    if kind == "md":
        return f"# {sentence(r, 2, 5)[:-1]}\n\n" + "".join(fill(r, POOLS["md"], size))
    if kind == "json":
        return json.dumps({snake(r, 1): {snake(r, 2): r.choice([True, False, r.randint(0, 99)])
                                         for _ in range(max(1, size // 40))}}, indent=4) + "\n"
    raise ValueError(kind)


BIN_MAGIC = {"png": b"\x89PNG\r\n\x1a\n", "gif": b"GIF89a", "jpg": b"\xff\xd8\xff\xe0\x00\x10JFIF",
             "woff": b"wOFF", "woff2": b"wOF2", "ttf": b"\x00\x01\x00\x00", "eot": b"\x00\x00\x01\x00",
             "ico": b"\x00\x00\x01\x00", "phar": b"<?php __HALT_COMPILER(); ?>\r\n"}

# kind -> (median bytes, sigma)
SIZES = {
    "php": (3400, 0.8), "xml": (1500, 0.9), "phtml": (1700, 0.7), "js": (3000, 1.0),
    "html": (900, 0.7), "less": (2400, 0.9), "css": (4000, 0.9), "csv": (3000, 1.0),
    "md": (2500, 0.8), "json": (500, 0.6),
    "png": (5000, 1.1), "gif": (1500, 0.8), "jpg": (25000, 0.7), "woff": (55000, 0.4),
    "woff2": (40000, 0.4), "ttf": (90000, 0.4), "eot": (60000, 0.4), "ico": (5000, 0.3),
}
BINARY_KINDS = {"png", "gif", "jpg", "woff", "woff2", "ttf", "eot", "ico", "phar"}


def draw_size(r, kind, scale=1.0):
    med, sigma = SIZES[kind]
    s = int(r.lognormvariate(math.log(med), sigma))
    if kind not in BINARY_KINDS:
        s = int(s * TEXT_SCALE * scale)
    return max(64, min(s, med * 40))


# ----------------------------------------------------------------------------------------------
# package layouts: (directory template, kind, weight); placeholders {E} {S} {T} (PascalCase),
# {M} (Magento module name), {s} {w} (lowercase)

MODULE_DIRS = [
    ("Api", "php", 5), ("Api/Data", "php", 5), ("Model", "php", 14), ("Model/{E}", "php", 6),
    ("Model/ResourceModel", "php", 4), ("Model/ResourceModel/{E}", "php", 4), ("Block", "php", 3),
    ("Block/Adminhtml/{E}", "php", 3), ("Controller/Adminhtml/{E}", "php", 5), ("Controller/{E}", "php", 3),
    ("Observer", "php", 3), ("Plugin", "php", 3), ("Plugin/{E}", "php", 2), ("Helper", "php", 1),
    ("Setup/Patch/Data", "php", 2), ("Setup/Patch/Schema", "php", 1), ("Ui/Component/Listing/Column", "php", 2),
    ("Ui/DataProvider", "php", 2), ("ViewModel", "php", 2), ("Console/Command", "php", 1), ("Cron", "php", 1),
    ("Test/Unit/Model", "php", 7), ("Test/Unit/Model/{E}", "php", 3), ("Test/Unit/Block", "php", 2),
    ("Test/Unit/Controller/Adminhtml/{E}", "php", 3), ("Test/Unit/Observer", "php", 2), ("Test/Unit/Plugin", "php", 2),
    ("Test/Mftf/Test", "xml", 4), ("Test/Mftf/ActionGroup", "xml", 3), ("Test/Mftf/Section", "xml", 2),
    ("Test/Mftf/Data", "xml", 1), ("Test/Mftf/Page", "xml", 1), ("etc/adminhtml", "xml", 2), ("etc/frontend", "xml", 2),
    ("etc/graphql", "xml", 0.5), ("view/frontend/layout", "xml", 4), ("view/frontend/templates", "phtml", 4),
    ("view/frontend/templates/{s}", "phtml", 2), ("view/frontend/web/js", "js", 3), ("view/frontend/web/js/view", "js", 2),
    ("view/frontend/web/js/model", "js", 2), ("view/frontend/web/template", "html", 2), ("view/adminhtml/layout", "xml", 3),
    ("view/adminhtml/ui_component", "xml", 3), ("view/adminhtml/templates", "phtml", 2), ("view/adminhtml/web/js", "js", 2),
    ("view/base/web/js", "js", 1), ("view/frontend/web/css/source/module", "less", 1),
]
MODULE_FIXED = [("registration.php", "registration"), ("README.md", "md"), ("LICENSE.txt", "md"),
                ("LICENSE_AFL.txt", "md"), ("etc/module.xml", "xml"), ("etc/di.xml", "xml"),
                ("etc/config.xml", "xml"), ("etc/db_schema.xml", "xml"), ("etc/db_schema_whitelist.json", "json"),
                ("etc/acl.xml", "xml"), ("etc/events.xml", "xml"), ("etc/webapi.xml", "xml"),
                ("i18n/en_US.csv", "csv"), ("view/frontend/requirejs-config.js", "js"),
                ("view/frontend/web/css/source/_module.less", "less")]
MODULE_IMAGES = [("view/adminhtml/web/images", "png", 3), ("view/frontend/web/images", "png", 2),
                 ("view/adminhtml/web/images", "svg", 1)]

PAGE_BUILDER_DIRS = MODULE_DIRS + [
    ("view/adminhtml/web/ts/js/content-type/{s}", "js", 30), ("view/adminhtml/web/js/content-type/{s}", "js", 30),
    ("view/adminhtml/web/template/content-type/{s}/default", "html", 20),
    ("view/adminhtml/web/css/source/content-type/{s}", "less", 8), ("view/adminhtml/pagebuilder/content_type", "xml", 3),
    ("view/adminhtml/web/images/content-type/{s}/appearance", "png", 6),
    ("view/adminhtml/web/css/images/{s}", "svg", 2), ("view/base/web/js/content-type/{s}/appearance/default", "js", 6),
]

LIB_DIRS = [("src", "php", 6), ("src/{S}", "php", 10), ("src/{S}/{T}", "php", 5), ("src/Exception", "php", 2),
            ("src/{S}/Exception", "php", 1)]
ROOTLIB_DIRS = [("", "php", 6), ("{S}", "php", 10), ("{S}/{T}", "php", 5), ("Exception", "php", 2),
                ("Resources/config", "xml", 0.5)]
INTL_DIRS = [("", "php", 0.5), ("Util", "php", 0.3), ("Data/{S}", "php", 0.3),
             ("Resources/data/locales", "php", 4), ("Resources/data/regions", "php", 3),
             ("Resources/data/currencies", "php", 3), ("Resources/data/languages", "php", 3),
             ("Resources/data/scripts", "php", 3), ("Resources/data/timezones", "php", 3)]
AWS_DIRS = [("src/{S}", "php", 10), ("src/{S}/Exception", "php", 3), ("src/data/{s}/{w}", "php", 6),
            ("src/{S}/{T}", "php", 3)]
FRAMEWORK_DIRS = [("{S}", "php", 10), ("{S}/{T}", "php", 10), ("{S}/{T}/{U}", "php", 4), ("{S}/Test/Unit", "php", 6),
                  ("{S}/Test/Unit/{T}", "php", 3), ("{S}/etc", "xml", 1), ("{S}/Test/Unit/_files", "xml", 1)]
THEME_DIRS = [("web/css/source", "less", 6), ("web/css/source/components", "less", 2), ("web/css", "less", 1),
              ("web/images", "png", 4), ("web/images/{s}", "jpg", 1), ("web/images", "svg", 1), ("web/fonts/{S}-Icons", "woff2", 0.15),
              ("web/fonts/{S}-Icons", "woff", 0.15), ("web/fonts/{S}-Icons", "ttf", 0.1),
              ("Magento_{M}/layout", "xml", 5), ("Magento_{M}/templates", "phtml", 4),
              ("Magento_{M}/web/css/source", "less", 4), ("Magento_{M}/web/images", "png", 0.5),
              ("Magento_{M}/templates/{s}", "phtml", 1), ("i18n", "csv", 0.1)]
BASE_DIRS = [
    ("dev/tests/integration/testsuite/Magento/{M}", "php", 14), ("dev/tests/integration/testsuite/Magento/{M}/Model", "php", 10),
    ("dev/tests/integration/testsuite/Magento/{M}/_files", "php", 8), ("dev/tests/integration/testsuite/Magento/{M}/Controller", "php", 4),
    ("dev/tests/integration/testsuite/Magento/{M}/_files", "xml", 2), ("dev/tests/integration/framework/Magento/TestFramework/{S}", "php", 3),
    ("dev/tests/api-functional/testsuite/Magento/{M}/Api", "php", 5), ("dev/tests/api-functional/testsuite/Magento/GraphQl/{M}", "php", 5),
    ("dev/tests/static/testsuite/Magento/Test/{S}", "php", 2), ("dev/tests/static/testsuite/Magento/Test/{S}/_files", "xml", 2),
    ("dev/tests/static/framework/Magento/{S}", "php", 1), ("dev/tests/js/jasmine/tests/app/code/Magento/{M}/base/js", "js", 4),
    ("dev/tests/js/jasmine/tests/lib/mage", "js", 1), ("dev/tests/setup-integration/testsuite/Magento/Setup", "php", 1),
    ("setup/src/Magento/Setup/{S}", "php", 6), ("setup/src/Magento/Setup/{S}/{T}", "php", 3),
    ("setup/src/Magento/Setup/Test/Unit/{S}", "php", 3), ("setup/performance-toolkit/profiles/ce", "xml", 0.1),
    ("lib/web/mage", "js", 2), ("lib/web/mage/{s}", "js", 3), ("lib/web/jquery", "js", 0.6), ("lib/web/jquery/{s}", "js", 1.5),
    ("lib/web/knockoutjs", "js", 0.2), ("lib/web/tiny_mce_5/plugins/{s}", "js", 2), ("lib/web/tiny_mce_5/skins/ui/oxide", "css", 0.2),
    ("lib/web/css/source/lib", "less", 1.2), ("lib/web/css/source/lib/variables", "less", 0.5), ("lib/web/css/docs/source", "less", 0.5),
    ("lib/web/css/docs", "html", 0.5), ("lib/web/images", "png", 3), ("lib/web/images/{s}", "gif", 1.5),
    ("lib/web/images/{s}", "jpg", 0.5), ("lib/web/fonts/opensans/{w}", "woff2", 0.12), ("lib/web/fonts/opensans/{w}", "woff", 0.12),
    ("lib/web/fonts/opensans/{w}", "ttf", 0.06), ("lib/web/fonts/Luma-Icons", "woff2", 0.03), ("lib/web/fonts/Blank-Theme-Icons", "eot", 0.03),
    ("pub/errors/default/images", "png", 0.1), ("pub/errors/default", "phtml", 0.1), ("app/etc", "xml", 0.2),
]
BASE_FIXED = [("index.php", "php"), ("app/bootstrap.php", "php"), ("app/autoload.php", "php"), ("app/functions.php", "php"),
              ("pub/index.php", "php"), ("pub/get.php", "php"), ("pub/static.php", "php"), ("pub/health_check.php", "php"),
              ("COPYING.txt", "md"), ("LICENSE.txt", "md"), ("LICENSE_AFL.txt", "md"), ("SECURITY.md", "md"),
              ("CHANGELOG.md", "bigmd"), ("nginx.conf.sample", "md"), (".htaccess", "md"), ("pub/.htaccess", "md"),
              ("generated/.htaccess", "md"), ("var/.htaccess", "md"), ("Gruntfile.js.sample", "js"),
              ("package.json.sample", "json"), ("grunt-config.json.sample", "json"), ("auth.json.sample", "json"),
              ("pub/favicon.ico", "ico"), ("pub/errors/default/images/logo.gif", "gif")]
BASE_SCRIPTS = ["bin/magento", "dev/tools/grunt/tools/collect-validation-files.sh", "dev/travis/before_script.sh"]

MODULE_NAMES = None  # filled from the package list (Magento module names, e.g. "Catalog")


def expand(r, template, picks):
    out = template
    for ph in ("{E}", "{S}", "{T}", "{U}", "{M}", "{s}", "{w}"):
        if ph in out:
            out = out.replace(ph, r.choice(picks[ph]), 1)
    return out


def file_name(r, d, kind):
    if kind == "php":
        return pascal(r, r.randint(1, 3)) + ("Test" if "Test" in d else "") + ".php"
    if kind == "xml":
        if "Mftf" in d:
            return pascal(r, 2) + d.rsplit("/", 1)[-1] + ".xml"
        if d.startswith("etc") or d.endswith("/etc"):
            return r.choice(["di", "events", "routes", "system", "menu", "sections", "crontab", "indexer",
                             "webapi", "acl", "extension_attributes", "queue", "communication"]) + ".xml"
        return snake(r, r.randint(2, 4)) + ".xml"
    if kind in ("js", "html", "css", "svg"):
        return kebab(r, r.randint(1, 3)) + "." + kind
    if kind == "less":
        return "_" + kebab(r, r.randint(1, 2)) + ".less"
    if kind in ("phtml", "csv"):
        return snake(r, r.randint(1, 3)) + "." + kind
    return kebab(r, r.randint(1, 2)) + "." + kind


def plan_files(r, dirs, count, picks):
    """Distributes `count` files over the directory templates by weight."""
    total = sum(w for _, _, w in dirs)
    out = []
    for d, kind, w in dirs:
        n = count * w / total
        n = int(n) + (1 if r.random() < n - int(n) else 0)
        for _ in range(n):
            dd = expand(r, d, picks)
            out.append(((dd + "/" if dd else "") + file_name(r, dd, kind), kind))
    return out


def psr4_prefix(pkg):
    vendor, name = pkg["name"].split("/", 1)
    v = {"magento": "Magento", "laminas": "Laminas", "symfony": "Symfony", "aws": "Aws"}.get(vendor, pascal_of(vendor))
    n = pascal_of(name.replace("module-", "").replace("laminas-", "").replace("zend-", "Zend-"))
    return f"{v}\\{n}\\"


def layout(pkg, r):
    """Returns (files [(path, kind)], autoload dict, bin list, extra dict or None)."""
    name, typ = pkg["name"], pkg["type"]
    vendor, short = name.split("/", 1)
    picks = {
        "{E}": [pascal(r, 1) for _ in range(6)], "{S}": [pascal(r, 1) for _ in range(12)],
        "{T}": [pascal(r, 1) for _ in range(8)], "{U}": [pascal(r, 1) for _ in range(4)],
        "{M}": r.sample(MODULE_NAMES, min(len(MODULE_NAMES), 40)), "{s}": [snake(r, 1) for _ in range(10)],
        "{w}": ["light", "regular", "semibold", "bold"] if name == "magento/magento2-base" else [str(2000 + i) for i in range(10, 24)],
    }
    prefix = psr4_prefix(pkg)
    bins = BINARIES.get(name, [])
    extra = None
    count = FILE_COUNTS.get(name)
    files = []
    if typ == "magento2-component":
        files = plan_files(r, BASE_DIRS, count - len(BASE_FIXED) - len(BASE_SCRIPTS), picks)
        files += BASE_FIXED + [(b, "script") for b in BASE_SCRIPTS]
        autoload = {}
    elif typ == "magento2-module":
        count = count or int(38 + 76 * r.random() ** 1.6)
        mod_dirs = PAGE_BUILDER_DIRS if name.endswith("/module-page-builder") else MODULE_DIRS
        fixed = [f for f in MODULE_FIXED if r.random() < 0.75 or f[0] in ("registration.php", "etc/module.xml")]
        files = plan_files(r, mod_dirs, count - len(fixed), picks) + fixed
        if r.random() < 0.25:
            files += plan_files(r, MODULE_IMAGES, r.randint(3, 16), picks)
        autoload = {"files": ["registration.php"], "psr-4": {prefix: ""}}
    elif typ == "magento2-library":
        count = count or r.randint(80, 250)
        files = plan_files(r, FRAMEWORK_DIRS, count - 3, picks) + [("registration.php", "registration"), ("README.md", "md"), ("LICENSE.txt", "md")]
        autoload = {"files": ["registration.php"], "psr-4": {prefix: ""}}
    elif typ == "magento2-theme":
        count = count or r.randint(250, 450)
        files = plan_files(r, THEME_DIRS, count - 4, picks)
        files += [("registration.php", "registration"), ("theme.xml", "xml"), ("etc/view.xml", "xml"), ("media/preview.jpg", "jpg")]
        autoload = {"files": ["registration.php"]}
    elif typ == "magento2-language":
        loc = short.replace("language-", "")
        parts = loc.split("_")
        locale = parts[0] + "_" + "_".join(p.capitalize() if len(p) > 2 else p.upper() for p in parts[1:])
        files = [("registration.php", "registration"), ("language.xml", "xml"), ("LICENSE.txt", "md"),
                 ("LICENSE_AFL.txt", "md"), ("README.md", "md"), (f"{locale}.csv", "bigcsv")]
        autoload = {"files": ["registration.php"]}
    else:  # libraries, plugins, applications, coding standards (GitHub-style and magento/composer)
        if count is None:
            # log-uniform-ish between 8 and 300 files, most packages small (psr/*, polyfills...)
            count = int(math.exp(math.log(8) + (math.log(300) - math.log(8)) * r.random() ** 2.5))
        if name == "symfony/intl":
            dirs = INTL_DIRS
        elif name == "aws/aws-sdk-php":
            dirs = AWS_DIRS
        elif vendor == "symfony":
            dirs = ROOTLIB_DIRS
        else:
            dirs = LIB_DIRS
        fixed = [("README.md", "md"), ("LICENSE", "md")]
        if r.random() < 0.6:
            fixed.append(("CHANGELOG.md", "md"))
        if short.startswith("polyfill-"):
            fixed.append(("bootstrap.php", "php"))
        files = plan_files(r, dirs, max(1, count - len(fixed) - len(bins)), picks) + fixed
        src = "" if dirs in (ROOTLIB_DIRS, INTL_DIRS) else "src/"
        autoload = {"psr-4": {prefix: src}}
        if short.startswith("polyfill-"):
            autoload["files"] = ["bootstrap.php"]
        for b in bins:
            files.append((b, "phar" if b.endswith(".phar") else "script"))
        if typ == "composer-plugin":
            extra = {"class": prefix + "Plugin"}
    for d, kind, n in EXTRA_BINARIES.get(name, []):
        files += [(f"{d}/{file_name(r, d, kind)}", kind) for _ in range(n)]
    # unique paths, stable order
    seen, uniq = set(), []
    for path, kind in files:
        p = path
        i = 2
        while p in seen:
            stem, dot, ext = path.rpartition(".")
            p = f"{stem}{i}.{ext}" if dot else f"{path}{i}"
            i += 1
        seen.add(p)
        uniq.append((p, kind))
    return uniq, autoload, bins, extra


def package_composer_json(pkg, autoload, bins, extra):
    d = {"name": pkg["name"], "description": "Synthetic package for the magefetch benchmark",
         "type": pkg["type"], "license": ["OSL-3.0", "AFL-3.0"] if pkg["dist_host"] == "repo.magento.com" else ["MIT"],
         "version": pkg["version"], "require": pkg["require"]}
    if pkg["name"] in REPLACES:
        d["replace"] = REPLACES[pkg["name"]]
    if autoload:
        d["autoload"] = autoload
    if bins:
        d["bin"] = bins
    if extra:
        d["extra"] = extra
    return json.dumps(d, indent=4) + "\n"


def contents(r, pkg, path, kind, prefix):
    if kind == "registration":
        comp = {"magento2-theme": "THEME", "magento2-language": "LANGUAGE", "magento2-library": "LIBRARY"}.get(pkg["type"], "MODULE")
        cname = prefix.rstrip("\\").replace("\\", "_")
        return (f"<?php\n{COPYRIGHT}\nuse Magento\\Framework\\Component\\ComponentRegistrar;\n\n"
                f"ComponentRegistrar::register(ComponentRegistrar::{comp}, '{cname}', __DIR__);\n").encode()
    if kind == "script":
        return (f"#!/usr/bin/env php\n<?php\n{COPYRIGHT}\n" + "".join(fill(r, POOLS["php"], 1500))).encode()
    if kind == "phar":
        return BIN_MAGIC["phar"] + r.randbytes(6_000_000)
    if kind in BINARY_KINDS:
        return BIN_MAGIC[kind] + r.randbytes(draw_size(r, kind))
    if kind == "svg":
        return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {r.randint(16, 64)} {r.randint(16, 64)}">\n'
                + "".join(f'<path d="M{r.randint(0, 99)} {r.randint(0, 99)}L{r.randint(0, 99)} {r.randint(0, 99)}'
                          f'C{r.random():.3f} {r.random():.3f} {r.random():.3f} {r.random():.3f}Z" fill="#{r.getrandbits(24):06x}"/>\n'
                          for _ in range(r.randint(3, 60))) + "</svg>\n").encode()
    if kind == "bigcsv":
        return "".join(fill(r, POOLS["csv"], int(1_400_000 * TEXT_SCALE))).encode()
    if kind == "bigmd":
        return "".join(fill(r, POOLS["md"], int(600_000 * TEXT_SCALE))).encode()
    size = draw_size(r, kind, PACKAGE_SCALE.get(pkg["name"], 1.0))
    if kind == "php":
        d = path.rsplit("/", 1)[0] if "/" in path else ""
        for strip in ("src/", "src"):
            if d.startswith(strip):
                d = d[len(strip):]
                break
        ns = prefix.rstrip("\\") + ("\\" + d.replace("/", "\\").replace("-", "").replace(".", "") if d else "")
        cls = path.rsplit("/", 1)[-1][:-4]
        return php_file(r, ns, cls, size).encode()
    return text_file(r, kind, size).encode()


# ----------------------------------------------------------------------------------------------
# archives

def reference_of(pkg):
    return hashlib.sha1(f"{SEED}/reference/{pkg['name']}@{pkg['version']}".encode()).hexdigest()


def is_github(pkg):
    return pkg["dist_host"] != "repo.magento.com" and not pkg["has_shasum"]


def archive_path(pkg):
    vendor, name = pkg["name"].split("/", 1)
    if is_github(pkg):
        return f"archives/{vendor}/{name}/{name}-{pkg['version']}.zip"
    return f"archives/{vendor}/{name}/{vendor}-{name}-{pkg['version_normalized']}.zip"


def zinfo(name, mode, is_dir):
    zi = zipfile.ZipInfo(name, date_time=ZIP_DATE)
    zi.create_system = 3
    if is_dir:
        zi.external_attr = ((0o40000 | mode) << 16) | 0x10
        zi.compress_type = zipfile.ZIP_STORED
    else:
        zi.external_attr = (0o100000 | mode) << 16
    return zi


def build_package(args):
    pkg, out_dir = args
    build_pools()
    seed = hashlib.sha256(f"{SEED}/{pkg['name']}@{pkg['version']}".encode()).digest()
    r = random.Random(seed)
    files, autoload, bins, extra = layout(pkg, r)
    prefix = psr4_prefix(pkg)
    entries = {"composer.json": (package_composer_json(pkg, autoload, bins, extra).encode(), 0o644, "json")}
    for path, kind in files:
        mode = 0o755 if kind == "script" else 0o644
        entries[path] = (contents(r, pkg, path, kind, prefix), mode, kind)
    top = ""
    ref = None
    if is_github(pkg):
        ref = reference_of(pkg)
        top = f"{pkg['name'].replace('/', '-')}-{ref[:7]}/"
    # directory entries
    dirs = set()
    for path in entries:
        parts = path.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            dirs.add("/".join(parts[:i]) + "/")
    names = sorted([(top + p, False) for p in entries] + [(top + d, True) for d in dirs]
                   + ([(top, True)] if top else []))
    rel = archive_path(pkg)
    dest = os.path.join(out_dir, rel)
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    tmp = dest + ".tmp"
    unpacked = 0
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        for name, is_dir in names:
            if is_dir:
                zf.writestr(zinfo(name, 0o755, True), b"")
                continue
            data, mode, kind = entries[name[len(top):]]
            zi = zinfo(name, mode, False)
            zi.compress_type = zipfile.ZIP_STORED if kind in BINARY_KINDS else zipfile.ZIP_DEFLATED
            zf.writestr(zi, data)
            unpacked += len(data)
    os.replace(tmp, dest)
    h = hashlib.sha1()
    with open(dest, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return {
        "name": pkg["name"], "version": pkg["version"], "version_normalized": pkg["version_normalized"],
        "type": pkg["type"], "dev": pkg["dev"], "require": pkg["require"], "replace": REPLACES.get(pkg["name"]),
        "autoload": autoload, "bin": bins or None, "extra": extra, "path": rel,
        "reference": ref, "shasum": "" if ref else h.hexdigest(), "sha1": h.hexdigest(),
        "files": len(entries), "dirs": len(dirs), "bytes": unpacked, "zip_bytes": os.path.getsize(dest),
        "github": bool(ref),
    }


def cmd_generate(a):
    global MODULE_NAMES
    t0 = time.time()
    with open(a.packages) as f:
        pkgs = json.load(f)
    MODULE_NAMES = sorted({pascal_of(p["name"].split("/")[1][len("module-"):]) for p in pkgs
                           if p["type"] == "magento2-module" and p["name"].startswith("magento/module-")})
    os.makedirs(a.out, exist_ok=True)
    todo = [p for p in pkgs if p["type"] != "metapackage"]
    # biggest first so that one large archive does not finish last on its own
    todo.sort(key=lambda p: -FILE_COUNTS.get(p["name"], 100))
    jobs = a.jobs or os.cpu_count() or 2
    results = []
    with Pool(jobs, initializer=_init_worker, initargs=(MODULE_NAMES,)) as pool:
        for i, res in enumerate(pool.imap_unordered(build_package, [(p, a.out) for p in todo], chunksize=1)):
            results.append(res)
            if not a.quiet and (i + 1) % 100 == 0:
                print(f"  {i + 1}/{len(todo)} archives", file=sys.stderr, flush=True)
    by_name = {r["name"]: r for r in results}
    manifest = []
    for p in pkgs:
        if p["type"] == "metapackage":
            manifest.append({"name": p["name"], "version": p["version"], "version_normalized": p["version_normalized"],
                             "type": p["type"], "dev": p["dev"], "require": p["require"], "replace": REPLACES.get(p["name"]),
                             "autoload": None, "bin": None, "extra": None, "path": None})
        else:
            manifest.append(by_name[p["name"]])
    with open(os.path.join(a.out, "manifest.json"), "w") as f:
        json.dump({"generator": SEED, "packages": manifest}, f, indent=1)
    n_files = sum(r["files"] for r in results)
    zipped = sum(r["zip_bytes"] for r in results)
    unpacked = sum(r["bytes"] for r in results)
    big = sorted(results, key=lambda r: -r["zip_bytes"])[:5]
    print(f"world: {len(results)} archives ({sum(r['github'] for r in results)} GitHub-style, "
          f"{sum(not r['github'] for r in results)} repo.magento.com-style), "
          f"{len(pkgs) - len(results)} metapackages without archive")
    print(f"world: {n_files} files, {zipped / 1e6:.1f} MB zipped, {unpacked / 1e6:.1f} MB unpacked "
          f"(ratio {unpacked / max(zipped, 1):.2f}), generated in {time.time() - t0:.1f} s with {jobs} processes")
    print("world: largest: " + ", ".join(f"{r['name']} {r['zip_bytes'] / 1e6:.1f} MB/{r['files']} files" for r in big))


def _init_worker(module_names):
    global MODULE_NAMES
    MODULE_NAMES = module_names
    build_pools()


# ----------------------------------------------------------------------------------------------
# the benchmark project

def php_json(value):
    """json_encode($value) with PHP's defaults: `/` escaped, \\uXXXX, and {} as []."""
    def conv(v):
        if isinstance(v, dict):
            return [] if not v else {k: conv(x) for k, x in v.items()}
        if isinstance(v, list):
            return [conv(x) for x in v]
        return v
    return json.dumps(conv(value), separators=(",", ":"), ensure_ascii=True).replace("/", "\\/")


def content_hash(composer_json):
    keys = ["name", "version", "require", "require-dev", "conflict", "replace", "provide",
            "minimum-stability", "prefer-stable", "repositories", "extra"]
    relevant = {k: composer_json[k] for k in keys if k in composer_json}
    if "platform" in composer_json.get("config", {}):
        relevant["config"] = {"platform": composer_json["config"]["platform"]}
    return hashlib.md5(php_json(dict(sorted(relevant.items()))).encode()).hexdigest()


def lock_entry(p, url):
    e = {"name": p["name"], "version": p["version"]}
    if p["path"]:
        dist = {"type": "zip", "url": f"{url}/{p['path']}"}
        if p["reference"]:
            dist["reference"] = p["reference"]
        dist["shasum"] = p["shasum"]
        e["dist"] = dist
    e["require"] = p["require"]
    if p.get("replace"):
        e["replace"] = p["replace"]
    if p.get("bin"):
        e["bin"] = p["bin"]
    e["type"] = p["type"]
    if p.get("extra"):
        e["extra"] = p["extra"]
    if p.get("autoload"):
        e["autoload"] = p["autoload"]
    return e


def cmd_project(a):
    with open(a.manifest) as f:
        pkgs = json.load(f)["packages"]
    url = a.url.rstrip("/")
    host = url.split("://", 1)[1]
    cj = {
        "name": "acme/bench",
        "description": "magefetch benchmark project (synthetic Magento 2.4.7-p1 sized lock)",
        "type": "project",
        "repositories": [{"type": "composer", "url": url}, {"packagist.org": False}],
        "require": {p["name"].lower(): p["version"] for p in sorted(pkgs, key=lambda p: p["name"]) if not p["dev"]},
        "require-dev": {p["name"].lower(): p["version"] for p in sorted(pkgs, key=lambda p: p["name"]) if p["dev"]},
        "config": {"secure-http": False, "allow-plugins": False, "notify-on-install": False},
        "minimum-stability": "stable",
    }
    lock = {
        "_readme": ["This file locks the dependencies of your project to a known state",
                    "Read more about it at https://getcomposer.org/doc/01-basic-usage.md#installing-dependencies",
                    "This file is @generated automatically"],
        "content-hash": content_hash(cj),
        "packages": [lock_entry(p, url) for p in sorted(pkgs, key=lambda p: p["name"]) if not p["dev"]],
        "packages-dev": [lock_entry(p, url) for p in sorted(pkgs, key=lambda p: p["name"]) if p["dev"]],
        "aliases": [], "minimum-stability": "stable", "stability-flags": [], "prefer-stable": False,
        "prefer-lowest": False, "platform": [], "platform-dev": [], "plugin-api-version": "2.3.0",
    }
    auth = {"http-basic": {host: {"username": BENCH_USER, "password": BENCH_PASS}}}
    repo = {"packages": {}}
    for p in pkgs:
        e = lock_entry(p, url)
        e["version_normalized"] = p["version_normalized"]
        repo["packages"].setdefault(p["name"], {})[p["version"]] = e
    os.makedirs(a.project, exist_ok=True)
    os.makedirs(a.repo_dir, exist_ok=True)
    for path, data in ((os.path.join(a.project, "composer.json"), cj), (os.path.join(a.project, "composer.lock"), lock),
                       (os.path.join(a.project, "auth.json"), auth), (os.path.join(a.repo_dir, "packages.json"), repo)):
        with open(path + ".tmp", "w") as f:
            json.dump(data, f, indent=4, ensure_ascii=False)
            f.write("\n")
        os.replace(path + ".tmp", path)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("generate")
    g.add_argument("--packages", required=True)
    g.add_argument("--out", required=True)
    g.add_argument("--jobs", type=int, default=0)
    g.add_argument("--quiet", action="store_true")
    p = sub.add_parser("project")
    p.add_argument("--manifest", required=True)
    p.add_argument("--url", required=True)
    p.add_argument("--project", required=True)
    p.add_argument("--repo-dir", required=True)
    p.add_argument("--print-credentials", action="store_true")
    a = ap.parse_args()
    if a.cmd == "generate":
        cmd_generate(a)
    else:
        cmd_project(a)
        if a.print_credentials:
            print(f"{BENCH_USER}:{BENCH_PASS}")


if __name__ == "__main__":
    main()
