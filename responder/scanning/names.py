"""What one name says about the value under it: whose it is (owner) and what it is (kind).

A name is split into words (camelCase, snake_case, kebab-case, dots, slashes; glued
lower-case compounds such as ``hapikey`` or ``questionproapikey`` are taken apart from the
right with a small vocabulary of key words). Then

* the **owner** is QuestionPro when a word is ``questionpro``/``surveyanalytics``/``qp``
  (``questionpro`` inside another word, ``questionProperties``, is not), *another* owner
  when any word is outside the generic vocabulary below (``FOO_API_KEY``, ``hapikey``:
  no list of services can be complete, so anything that is not a generic word names
  someone), and nobody otherwise;
* the **kind** comes from the last word that has one (``API_KEY_PROD`` is a key,
  ``api_key_id`` an id, ``key_file`` a reference): qualifiers after the key word
  (``_PROD``, ``_EU``, ``Staging``, ``2``) do not change it.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from functools import lru_cache


class Owner(enum.Enum):
    NONE = "none"
    QUESTIONPRO = "questionpro"
    OTHER = "other"


class Kind(enum.Enum):
    NEUTRAL = "neutral"  # says nothing about what the value is (``headers``, ``eu``)
    KEY = "key"  # an API key, said plainly (``api_key``, ``accessKey``, ``x-api-key``)
    KEYWORD = "keyword"  # a key word alone (``key``, ``token``, ``secret``, ``password``)
    CONSTRUCTOR = "constructor"  # a client or SDK built from the value (``Client(…)``)
    ID = "id"  # an identifier or other data (``survey_id``, ``uuid``, ``getResponse(…)``)
    REFERENCE = "reference"  # names where a key is, not the key (``key_file``, ``key_url``)
    PLACEHOLDER = "placeholder"  # ``example_key``, ``dummy``
    WEAK = "weak"  # only says "this is a value" (``value``, ``default``): look at its neighbours


# The kinds that say a value could be a key: one set, for every look that asks.
KEY_KINDS = frozenset((Kind.KEY, Kind.KEYWORD, Kind.CONSTRUCTOR))


@dataclass(frozen=True)
class Verdict:
    owner: Owner
    kind: Kind
    strangers: int = field(default=0, compare=False)  # words outside the vocabulary


_KEY_WORDS = frozenset("key keys apikey apikeys token tokens secret secrets password passwd pwd pass".split())
_KEY_WORDS |= frozenset("credential credentials cred creds passphrase accesskey apitoken secretkey authkey".split())
_STRONG_BEFORE_KEY = frozenset("api access secret auth subscription private app client service".split())
# Before ``key``, these make it a lookup key of data, not a credential (``RowKey``,
# ``cache_key``, ``publicKey``, ``objectKey``): an identifier. Not ``primary``: a primary
# key is also the first of two credentials (``QUESTIONPRO_PRIMARY_KEY``).
_LOOKUP_BEFORE_KEY = frozenset(
    "row rows partition foreign sort cache object public index hash map table record item entry "
    "field node lookup composite unique natural surrogate routing shard column cursor idempotency dedupe "
    "dedup survey response question".split()
)
_CONSTRUCTOR_WORDS = frozenset("client sdk builder connect connection init initialize configure login auth".split())
_ID_WORDS = frozenset(
    "id ids uuid uuids guid guids uid uids identifier number num no hash digest checksum sha etag nonce salt "
    "request trace span correlation session sessions tenant instance response responses survey surveys "
    "folder folders user users org organization department panel respondent question questions answer "
    "version revision build commit ref project solution assembly namespace component package module "
    "class interface type types typeid clsid appid productcode upgradecode serial "
    "rid reqid cid tid jid sid txid".split()  # abbreviated ids: nginx's ``rid=``, Sidekiq's ``jid``
)
_REFERENCE_WORDS = frozenset(
    "url urls uri uris host hosts endpoint endpoints path paths file files dir directory name names arn "
    "location filename ref reference label".split()
)
_PLACEHOLDER_WORDS = frozenset("example examples sample samples dummy fake placeholder mock fixture your".split())
_WEAK_WORDS = frozenset(
    "value val v default defaultvalue fallback content text string str stringvalue data body "
    "setdefault getordefault getenv get getproperty environ or unset else "
    # a mock's matchers: what a header must equal (WireMock ``equalTo``, ``equals``, ``matches``)
    "equal equals eq exact exactly matches match "
    # what a fallback's function is called: ``unwrap_or_else``, ``COALESCE``, ``NVL``, ``firstNonNull``,
    # ``requireNonNullElse``, ``defaultIfBlank`` (the default of what is named before it)
    "unwrap coalesce ifnull nvl isnull nonnull null blank empty first non require".split()
)
_QUALIFIERS = frozenset(
    "prod production staging stage stg dev develop development test testing tests qa uat live sandbox demo "
    "local preview beta alpha canary eu us ca sg au ae sa ksa com uk de in global primary secondary backup "
    "old new current next prev previous latest legacy main default fallback one two v1 v2 v3 rw ro".split()
)
# Regions and the countries of QuestionPro's datacenters (``{"europe": …}``, ``asia_pacific``):
# a name made only of them (and qualifiers) says where a value is used, never whose it
# is. Inside any other name they still name someone (``CANADA_POST_API_KEY``); words that
# are mostly brands (ANZ, Emirates, LATAM) are not here at all.
_REGIONS = frozenset(
    "europe emea apac apj asia pacific asiapacific americas northamerica southamerica africa mena middleeast "
    "oceania usa canada australia singapore india uae saudi arabia germany france britain ireland japan "
    "brazil mexico east west north south northeast northwest southeast southwest international "
    "worldwide".split()
)
# Generic words: they name no owner. Anything else in a name does (``stripe``, ``hubspot``).
# A value's data type names no one either (``TYPE = GENERIC_STRING``, ``SecureString``, ``Opaque``), nor do
# a CLI's profiles (``[profiles.eu]``) or a proxy's header directives (``header_up``, ``more_set_headers``).
_GENERIC = frozenset(
    "a an the my our your this that these those self cls it its is are was be for of to from in on at by "
    "generic secure plain plaintext opaque profile profiles up down more "
    "with and or not no if else then here there new old set get put add use using let const var val def "
    "export import from return static final public private protected readonly internal override string "
    "config conf cfg configuration configs settings setting options option opts opt params parameters "
    "param props properties property prop args arg argv arguments argument kwargs attrs values vars "
    "variables variable "
    "env envs environment environments environ process os system sys app apps application applications "
    "parameter named conn "
    "api apis sdk sdks http https rest web www service services server servers backend frontend front "
    "back end client clients request req res resp headers header hdrs hdr query querystring form body payload "
    "auth authentication authorization access account accounts admin master root owner "
    "integration integrations provider providers vendor vendors external remote third party "
    "spring rails django laravel flask fastapi express next nuxt vite react vue angular expo gatsby "
    "node npm python java kotlin swift dotnet go golang rust ruby php android ios gradle maven "
    "dotenv docker compose k8s kubernetes helm chart charts terraform tf tfvars ansible vault secretsmanager "
    "ssm parameterstore keyvault gh github actions workflow ci cd job jobs step steps run runner "
    "stringdata data metadata spec template templates item items entry entries list map dict hash table "
    "connection connections credentials secrets keys tokens global globals shared common core base util utils "
    "helper helpers lib library libs module modules package packages main index init setup "
    "cli cmd command commands script scripts tool tools task tasks "
    "survey surveys feedback cx research panel insights datacenter center centre region zone "
    "create make build open close call send post patch delete remove fetch query invoke execute exec run "
    "start stop load save read write update register apply bind mount attach assign store insert upsert "
    "merge extend append push pop emit dispatch handle parse format print log info debug warn error to "
    "echo printf "
    "from of as on "
    # common words of business software: they describe, they do not name a vendor
    "customer customers company companies team teams project projects product products business "
    "mobile desktop site sites portal dashboard report reports reporting analytics metrics export "
    "exports sync syncer worker workers cron batch pipeline connector connectors adapter gateway "
    "proxy bridge engine platform manager handler consumer producer publisher subscriber listener "
    "temp tmp cache queue event events webhook webhooks callback notification notifications email "
    "message messages notify bot storage bucket upload download media image images asset assets "
    "store shop retail order orders cart checkout billing invoice sales marketing support help "
    "ticket tickets form forms poll polls nps csat ux touchpoint touchpoints community communities "
    "workforce trigger action flow automation rule rules alert alerts monitor monitoring health "
    "status live plaintext plain raw encrypted decrypted encoded secure sensitive current active "
    "enabled disabled internal partner partners tenant org orgs workspace workspaces region "
    "regional country locale language lang home office dev1 dev2 staging2 read write readonly "
    "admin1 master1 full limited scoped personal service1 general survey1 "
    # words of structure: documents, notebooks, exports and schemas are built from them
    "source sources cell cells output outputs input inputs content contents line lines code script "
    "result results record records row rows column columns field fields attribute attributes "
    "element elements node nodes block blocks section sections group groups collection collections "
    "object objects array arrays document documents resource resources definition "
    "definitions schema schemas variant variants context contexts scope scopes "
    "stage stages layer layers level levels part parts piece pieces chunk chunks page pages "
    "requests payloads bodies mutation mutations datasource datasources bean beans extra extras "
    # data formats and encodings (``jsonData:``, ``yamlConfig``)
    "json yaml yml xml csv tsv toml ini html text txt binary bytes base64 hex utf8 ascii "
    # parts of a connector or client, by what they do (``authenticator:``, ``requester:``)
    "authenticator authenticators requester requestor requesters upstream downstream fetcher poller "
    "retriever extractor loader destination destinations sink sinks transport caller invoker executor "
    "scheduler stream streams paginator decoder encoder parser serializer resolver".split()
) | frozenset("abcdefghijklmnopqrstuvwxyz")
_QP_WORDS = frozenset(("questionpro", "surveyanalytics", "questionprosa", "qp"))
_QP_COMPOUND_TAILS = frozenset(
    "client clients sdk sdks api apis apikey key keys token secret cx service config settings credentials "
    "auth integration".split()
)
_GLUE_PIECES = (
    "questionpro",
    "surveyanalytics",
    "apikeys",
    "apikey",
    "accesskey",
    "secretkey",
    "apitoken",
    "authkey",
    "keys",
    "key",
    "token",
    "secret",
    "api",
    "access",
    "client",
    "sdk",
)
_VOCAB = (
    _KEY_WORDS
    | _ID_WORDS
    | _REFERENCE_WORDS
    | _PLACEHOLDER_WORDS
    | _WEAK_WORDS
    | _QUALIFIERS
    | _GENERIC
    | _QP_WORDS
    | _CONSTRUCTOR_WORDS
)

_SPLIT = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")


def _explode(word: str) -> list[str]:
    """``hapikey`` -> ``[h, api, key]``; ``questionproclient`` -> ``[questionpro, client]``."""
    if word in _VOCAB:
        return [word]
    if word.startswith("questionpro") and word[11:] in _QP_COMPOUND_TAILS:
        return ["questionpro", word[11:]]
    for piece in _GLUE_PIECES:
        if word.endswith(piece) and len(word) > len(piece):
            rest = word[: -len(piece)]
            if len(rest) <= 2 and rest not in _QP_WORDS:
                return [rest + "*", piece]  # a glued prefix (``hapikey``): someone's name
            return [*_explode(rest), piece]
    return [word]


def _join_questionpro(words: list[str]) -> list[str]:
    """camelCase splits ``QuestionPro`` into ``question``, ``pro``: put it back together."""
    out: list[str] = []
    for word in words:
        if word == "pro" and out and out[-1] == "question":
            out[-1] = "questionpro"
        elif word == "analytics" and out and out[-1] == "survey":
            out[-1] = "surveyanalytics"
        else:
            out.append(word)
    return out


# Key words of other languages (docs, tickets and mails are not all in English), as the
# English word they mean when they name an API's key (``_api_keys_in_english``); letters
# with accents are spelled without them first (text is decoded as latin-1, so UTF-8's "ü"
# arrives as "Ã¼").
_FOREIGN = {
    **dict.fromkeys(("schluessel", "schlussel", "clave", "chave", "chiave", "sleutel", "klucz", "nyckel"), "key"),
    **dict.fromkeys(("passwort", "kennwort", "contrasena", "senha"), "password"),
}
_OF = frozenset("de da do di del della des du".split())


def _api_keys_in_english(ws: list[str]) -> list[str]:
    """Other languages' key words, as the English word, when nothing qualifies them:
    their qualifiers follow them (``clave de sesión``, ``chave_da_pesquisa``,
    ``clave_foranea``), which the English rules for the word before a key do not read.
    A key word last in its name (``QUESTIONPRO_CHAVE``, ``clave:``), or followed by "api"
    or by stages and places only (``clave de API``, ``schluessel_prod``), is a key word."""
    out = list(ws)
    for i, word in enumerate(ws):
        if word in _FOREIGN:
            rest = ws[i + 2 :] if i + 1 < len(ws) and ws[i + 1] in _OF else ws[i + 1 :]
            if not rest or rest[0] == "api" or _all_qualifiers(tuple(rest)):
                out[i] = _FOREIGN[word]
    return out


_OF_AFTER = re.compile(rf"[ \t]+(?:{'|'.join(sorted(_OF))})[ \t]+(\S+)", re.IGNORECASE)


def is_qualified_foreign_key_word(word: str, after: str) -> bool:
    """``clave`` in prose followed (``after``) by ``de sesión``: another language's word
    for a key, qualified after it (a session's key, a survey's key), which is no API key."""
    found = _OF_AFTER.match(after)
    if found is None or _plain(word).lower() not in _FOREIGN:
        return False
    following = found.group(1)
    return following.lower() != "api" and not _all_qualifiers(words(following))


def _plain(name: str) -> str:
    """A name's letters without their accents (``Schlüssel`` -> ``Schlussel``)."""
    if name.isascii():
        return name
    import unicodedata  # only for the rare name that needs it

    if "Ã" in name:  # UTF-8 read as latin-1
        try:
            name = name.encode("latin-1").decode("utf-8")
        except UnicodeError:
            pass
    return "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))


@lru_cache(maxsize=4096)
def words(name: str) -> tuple[str, ...]:
    """The lower-case words of a name, QuestionPro kept whole, other languages' key words
    as English ones."""
    raw = _api_keys_in_english([w.lower() for w in _SPLIT.findall(_plain(name))])
    joined = _join_questionpro(raw)
    out: list[str] = []
    for word in joined:
        out.extend(_explode(word) if word not in _VOCAB else [word])
    return tuple(out)


# Before ``token`` or ``key``: a session's, a form's, a page's or a link's, never an API key
# (``SESSION_TOKEN``, ``csrf_token``, ``nextPageToken``, ``reset_token``).
_NOT_AN_API_KEY_BEFORE = frozenset(
    "session csrf xsrf refresh reset verification verify confirmation confirm invite invitation "
    "unsubscribe page pagination continuation".split()
)


def _word_kind(word: str, previous: str | None) -> Kind | None:
    if word in _KEY_WORDS:
        if word in ("apikey", "apikeys", "accesskey", "secretkey", "apitoken", "authkey"):
            return Kind.KEY
        if word in ("key", "keys", "token") and previous in _STRONG_BEFORE_KEY:
            return Kind.KEY
        if word in ("key", "keys") and previous in _LOOKUP_BEFORE_KEY:
            return Kind.ID
        if word in ("key", "keys", "token", "tokens") and previous in _NOT_AN_API_KEY_BEFORE:
            return Kind.ID
        return Kind.KEYWORD
    if word in _ID_WORDS:
        return Kind.ID
    if word in _REFERENCE_WORDS:
        return Kind.REFERENCE
    if word in _PLACEHOLDER_WORDS:
        return Kind.PLACEHOLDER
    return None


def _all_qualifiers(ws: tuple[str, ...]) -> bool:
    return bool(ws) and all(w in _QUALIFIERS or w in _REGIONS or w.isdigit() for w in ws)


def is_qualifier(name: str) -> bool:
    """A name made only of qualifiers (``eu``, ``prod``, ``europe``, ``us_east_1``): it says
    where or when a value is used, not whose or what it is."""
    return _all_qualifiers(words(name))


def mentions_questionpro(text: str) -> bool:
    """Does prose (a comment) name QuestionPro as a word? Its other words name no one."""
    return any(w in _QP_WORDS for w in words(text))


def is_questionpro_word(word: str) -> bool:
    return word in _QP_WORDS


@lru_cache(maxsize=4096)
def judge(name: str) -> Verdict:
    """Owner and kind of one name (see the module docstring)."""
    ws = words(name)
    if not ws:
        return Verdict(Owner.NONE, Kind.NEUTRAL)
    last_kind = max((i for i, w in enumerate(ws) if _word_kind(w, None) is not None), default=len(ws))
    # Words after the key word qualify it (``API_KEY_TOUCHPOINT``): only words before it,
    # or in a name without one, can name an owner.
    # A name of places alone (``europe``, ``us_east``) names nobody; beside other words a
    # region still names someone (``canada_post``), but only the other words are counted
    # when there are any (``sendgrid.europe`` is one service's name, not a description).
    outside = [] if _all_qualifiers(ws) else [w for w in ws[:last_kind] if w not in _VOCAB and not w.isdigit()]
    strangers = sum(1 for w in outside if w not in _REGIONS) or len(outside)
    if any(w in _QP_WORDS for w in ws):
        owner = Owner.QUESTIONPRO
    elif strangers:
        owner = Owner.OTHER
    else:
        owner = Owner.NONE
    kind = Kind.NEUTRAL
    if any(w in _PLACEHOLDER_WORDS for w in ws):
        return Verdict(owner, Kind.PLACEHOLDER, strangers)  # ``EXAMPLE_API_KEY``, ``your_token``
    for i in range(len(ws) - 1, -1, -1):
        found = _word_kind(ws[i], ws[i - 1] if i else None)
        if found is not None:
            kind = found
            break
    if kind is Kind.NEUTRAL:
        if ws == ("connection",):
            kind = Kind.ID  # a field named only ``connection`` refers to one (a fixture's foreign key)
        elif ws[-1] in _CONSTRUCTOR_WORDS:
            kind = Kind.CONSTRUCTOR
        elif ws[-1] in _WEAK_WORDS or (ws[-1] == "to" and ws[-2:-1] and ws[-2] in _WEAK_WORDS):
            kind = Kind.WEAK  # ``value``, ``android:value``, ``plaintext_value``, ``equalTo``
        elif ws[0] in ("default", "fallback") and all(w in _VOCAB for w in ws):
            kind = Kind.WEAK  # ``default_var=``, ``fallbackValue``: the default of what is named beside
    return Verdict(owner, kind, strangers)
