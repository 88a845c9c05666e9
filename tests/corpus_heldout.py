"""Rows written after the detector, in formats its own rows do not use: a check that it
generalizes (their first score is reported in issue 9's closing note). Folded into the
corpus like every other row, so every mode is tested on them too; import them through
``tests.corpus``."""

from __future__ import annotations

from tests.corpus import Case

HELDOUT_POSITIVES = [
    Case(
        "h-compose-map",
        "docker-compose.override.yml",
        "services:\n  worker:\n    image: acme/worker\n    environment:\n      QUESTIONPRO_KEY: {K}\n",
        ((5, None),),
        "heldout",
    ),
    Case("h-gitlab-vars", ".gitlab-ci.yml", 'variables:\n  QP_APIKEY: "{K}"\n', ((2, None),), "heldout"),
    Case(
        "h-tfvars-object",
        "prod.auto.tfvars",
        'questionpro = {\n  api_key = "{K}"\n  region  = "eu"\n}\n',
        ((2, None),),
        "heldout",
    ),
    Case("h-dotnet-flat", "secrets.json", '{\n  "QuestionPro:ApiKey": "{K}"\n}\n', ((2, None),), "heldout"),
    Case(
        "h-go-struct",
        "internal/qp/config.go",
        'cfg := questionpro.Config{\n\tAPIKey: "{K}",\n\tTimeout: 30,\n}\n',
        ((2, None),),
        "heldout",
    ),
    Case("h-swift", "Sources/App/Keys.swift", 'let questionProAPIKey = "{K}"\n', ((1, None),), "heldout"),
    Case("h-rust", "src/keys.rs", 'const QP_TOKEN: &str = "{K}";\n', ((1, None),), "heldout"),
    Case(
        "h-elixir",
        "config/prod.exs",
        'config :survey_sync, :questionpro,\n  api_key: "{K}"\n',
        ((2, None),),
        "heldout",
    ),
    Case(
        "h-insomnia",
        "insomnia.yaml",
        "- _type: request\n  url: https://api.questionpro.com/a/api/v2/surveys\n  headers:\n"
        "    - name: api-key\n      value: {K}\n",
        ((5, "com"),),
        "heldout",
    ),
    Case(
        "h-postman-env",
        "QP.postman_environment.json",
        '{"values": [{"key": "qp_api_key", "value": "{K}", "enabled": true}]}\n',
        ((1, None),),
        "heldout",
    ),
    Case(
        "h-systemd",
        "deploy/sync.service",
        '[Service]\nEnvironment="QUESTIONPRO_API_KEY={K}"\n',
        ((2, None),),
        "heldout",
    ),
    Case("h-bat", "setenv.bat", "@echo off\nset QUESTIONPRO_API_KEY={K}\n", ((2, None),), "heldout"),
    Case("h-fish", "config.fish", "set -x QP_API_KEY {K}\n", ((1, None),), "heldout"),
    Case("h-md-bold", "HANDOFF.md", "**QuestionPro API key**: {K}\n", ((1, None),), "heldout"),
    Case("h-csv-semicolon", "export.csv", "service;key;env\nquestionpro;{K};prod\n", ((2, None),), "heldout"),
    Case(
        "h-sql-update",
        "fix.sql",
        "UPDATE settings SET questionpro_api_key = '{K}' WHERE id = 1;\n",
        ((1, None),),
        "heldout",
    ),
    Case(
        "h-spring-default",
        "Config.java",
        '@Value("${questionpro.api-key:{K}}")\nprivate String apiKey;\n',
        ((1, None),),
        "heldout",
    ),
    Case(
        "h-csharp-const",
        "Keys.cs",
        'private const string QuestionProApiKey = "{K}";\n',
        ((1, None),),
        "heldout",
    ),
    Case("h-python-kwarg", "qp.py", 'qp = questionpro.Client(token="{K}")\n', ((1, None),), "heldout"),
    Case(
        "h-php-array",
        "config/services.php",
        "<?php\nreturn [\n    'questionpro' => [\n        'key' => '{K}',\n    ],\n];\n",
        ((4, None),),
        "heldout",
    ),
    Case(
        "h-gradle",
        "app/build.gradle",
        'buildConfigField "String", "QUESTIONPRO_API_KEY", "\\"{K}\\""\n',
        ((1, None),),
        "heldout",
    ),
    Case(
        "h-strings-xml",
        "res/values/strings.xml",
        '<resources>\n    <string name="questionpro_key" translatable="false">{K}</string>\n</resources>\n',
        ((2, None),),
        "heldout",
    ),
]

# Shapes seen in QuestionPro's own public CX SDK demos (rewritten, with fresh keys): a
# builder named after the SDK's own concepts, keys as constants of a test class.
SDK_SHAPED = [
    Case(
        "sdk-touchpoint-builder",
        "app/src/main/java/com/acme/shop/App.java",
        "package com.acme.shop;\n\nimport com.questionpro.cxlib.enums.DataCenter;\n\npublic class App {\n"
        "    void onCreate() {\n"
        '        TouchPoint touchPoint = new TouchPoint.Builder(DataCenter.US, "{K}")\n'
        "            .setShowAsDialog(true)\n            .build();\n    }\n}\n",
        ((7, "com"),),
        "heldout",
    ),
    Case(
        "sdk-test-constants",
        "src/androidTest/java/com/questionpro/cxlib/InitTest.java",
        "package com.questionpro.cxlib;\n\npublic class SdkInitializationTest {\n"
        '    private static final String API_KEY_EU = "{K}";\n}\n',
        ((4, None),),
        "heldout",
    ),
]
HELDOUT_POSITIVES += SDK_SHAPED
# Second round, also written before running the detector on them.
HELDOUT_POSITIVES += [
    Case(
        "h2-curl-header",
        "scripts/list.sh",
        'curl -H "api-key: {K}" https://api.questionpro.com/a/api/v2/surveys\n',
        ((1, "com"),),
        "heldout",
    ),
    Case(
        "h2-tf-actions-secret",
        "github.tf",
        'resource "github_actions_secret" "qp" {\n  secret_name     = "QUESTIONPRO_API_KEY"\n'
        '  plaintext_value = "{K}"\n}\n',
        ((3, None),),
        "heldout",
    ),
    Case(
        "h2-descriptive-name", ".env.local", "# questionpro\nCUSTOMER_FEEDBACK_API_KEY={K}\n", ((2, None),), "heldout"
    ),
    Case(
        "h2-yaml-list-under-qp",
        "accounts.yml",
        "questionpro:\n  accounts:\n    - name: eu\n      key: {K}\n",
        ((4, None),),
        "heldout",
    ),
    Case(
        "h2-json-nested-generic",
        "app.json",
        '{"questionpro": {"mobile": {"apiKey": "{K}"}}}\n',
        ((1, None),),
        "heldout",
    ),
    Case("h2-prose-backticks", "STAGING.md", "Use the QuestionPro key `{K}` for staging.\n", ((1, None),), "heldout"),
]

HELDOUT_NEGATIVES = [
    Case("h2-stripe-neg", "pay.py", "# QuestionPro\nSTRIPE_KEY = '{K}'\n", klass="heldout"),
    Case("h2-segment-neg", "analytics.json", '{"questionpro": {}, "segment": {"writeKey": "{K}"}}\n', klass="heldout"),
    Case("h2-sentry-neg", "cfg.ts", "// questionpro\nconst config = { sentry: { dsnKey: '{K}' } };\n", klass="heldout"),
    Case(
        "h-csproj-neg",
        "App.csproj",
        "<Project>\n  <PropertyGroup>\n    <ProjectGuid>{{KU}}</ProjectGuid>\n  </PropertyGroup>\n"
        '  <ItemGroup><PackageReference Include="QuestionPro.Client" /></ItemGroup>\n</Project>\n',
        klass="heldout",
    ),
    Case(
        "h-idea-neg",
        ".idea/workspace.xml",
        '<project>\n  <component name="ProjectId" id="{K}" />\n  <!-- questionpro -->\n</project>\n',
        klass="heldout",
    ),
    Case(
        "h-segment-neg",
        "analytics.ts",
        "// QuestionPro embed\nexport const analytics = { segmentWriteKey: '{K}' };\n",
        klass="heldout",
    ),
    Case("h-newrelic-neg", "newrelic.yml", "# questionpro sync\nnewrelic_license_key: {K}\n", klass="heldout"),
    Case("h-webhook-id-neg", "hooks.yml", "questionpro:\n  webhook_id: {K}\n", klass="heldout"),
    Case("h-prose-survey-neg", "CHANGELOG.md", "- QuestionPro survey {K} now exports results\n", klass="heldout"),
    Case("h-correlation-neg", "qp.log", '{"source": "questionpro", "correlationId": "{K}"}\n', klass="heldout"),
    Case("h-mixpanel-neg", "track.js", "// questionpro\nmixpanel.init('{K}');\n", klass="heldout"),
    Case("h-algolia-neg", ".env", "QUESTIONPRO_REGION=eu\nALGOLIA_SEARCH_KEY={K}\n", klass="heldout"),
    Case("h-intercom-neg", "app.yml", "# questionpro\nintercom_app_id: {K}\n", klass="heldout"),
    Case(
        "h-datadog-neg", ".env.ci", "QUESTIONPRO_API_URL=https://api.questionpro.com\nDD_API_KEY={K}\n", klass="heldout"
    ),
    Case(
        "h-azure-block-neg",
        "cfg.yaml",
        "questionpro:\n  url: https://api.questionpro.com\nazure:\n  api-key: {K}\n",
        klass="heldout",
    ),
    Case(
        "h-schema-example-neg",
        "openapi.json",
        '{"title": "QuestionPro", "properties": {"apiKey": {"type": "string", "examples": ["{K}"]}}}\n',
        klass="heldout",
    ),
]

# Shapes found in public repositories that use QuestionPro (rewritten, fresh keys): a
# notebook's code cell as a pretty-printed "source" list, a client configured in a block.
HELDOUT_POSITIVES += [
    Case(
        "real-notebook-source-list",
        "analysis/test.ipynb",
        '{\n "cells": [\n  {\n   "cell_type": "code",\n   "metadata": {},\n   "source": [\n'
        '    "api_key = \\"{K}\\"\\n",\n    "client = QuestionProClient(\\n",\n'
        '    "    api_key=api_key\\n",\n    ")"\n   ]\n  }\n ]\n}\n',
        ((7, None),),
        "heldout",
    ),
    Case(
        "real-ruby-configure-block",
        "spec/spec_helper.rb",
        'QuestionproRails.configure do |config|\n  config.api_key = "{K}"\nend\n',
        ((2, None),),
        "heldout",
    ),
]

# Third round, in formats the first two did not use; all judged right at first try.
HELDOUT_POSITIVES += [
    Case("h3-setup.rNone", "setup.R", 'Sys.setenv(QUESTIONPRO_API_KEY = "{K}")\n', ((1, None),), "heldout"),
    Case("h3-conf.luaNone", "conf.lua", 'local questionpro = { api_key = "{K}" }\n', ((1, None),), "heldout"),
    Case("h3-qp.plNone", "qp.pl", "my $qp_api_key = '{K}';\n", ((1, None),), "heldout"),
    Case("h3-keys.dartNone", "keys.dart", "static const String questionProApiKey = '{K}';\n", ((1, None),), "heldout"),
    Case(
        "h3-application.confNone", "application.conf", 'questionpro {\n  api-key = "{K}"\n}\n', ((2, None),), "heldout"
    ),
    Case(
        "h3-nginx.confNone",
        "nginx.conf",
        "location /qp/ {\n  proxy_pass https://api.questionpro.com;\n  proxy_set_header api-key {K};\n}\n",
        ((3, "com"),),
        "heldout",
    ),
    Case(
        "h3-build.gradle.ktsNone",
        "build.gradle.kts",
        'buildConfigField("String", "QP_API_KEY", "\\"{K}\\"")\n',
        ((1, None),),
        "heldout",
    ),
    Case("h3-npmrcNone", ".npmrc", "questionpro_api_key={K}\n", ((1, None),), "heldout"),
    Case("h3-vault.jsonNone", "vault.json", '{"data": {"questionpro": {"key": "{K}"}}}\n', ((1, None),), "heldout"),
    Case("h3-nb.pyNone", "nb.py", 'os.environ["QUESTIONPRO_API_KEY"] = "{K}"\n', ((1, None),), "heldout"),
    Case(
        "h3-set.ps1None",
        "set.ps1",
        '[Environment]::SetEnvironmentVariable("QUESTIONPRO_API_KEY", "{K}", "User")\n',
        ((1, None),),
        "heldout",
    ),
    Case("h3-makefileNone", "Makefile", "QP_API_KEY ?= {K}\n", ((1, None),), "heldout"),
    Case("h3-run.shNone", "run.sh", "docker run -e QUESTIONPRO_API_KEY={K} acme/sync\n", ((1, None),), "heldout"),
    Case("h3-wf.ymlNone", "wf.yml", "env:\n  API_KEY: {K}  # questionpro\n", ((2, None),), "heldout"),
    Case("h3-keys.swiftNone", "Keys.swift", 'let keys = ["QuestionProAPIKey": "{K}"]\n', ((1, None),), "heldout"),
    Case("h3-flow.ymlNone", "flow.yml", "questionpro: {api_key: {K}}\n", ((1, None),), "heldout"),
    Case("h3-app.propertiesNone", "app.properties", "# QuestionPro\napi.key={K}\n", ((2, None),), "heldout"),
    Case(
        "h3-settings.pyNone",
        "settings.py",
        "QUESTIONPRO = {\n    'API_KEY': '{K}',\n    'DATACENTER': 'eu',\n}\n",
        ((2, "eu"),),
        "heldout",
    ),
]
HELDOUT_NEGATIVES += [
    Case("h3-setup.r-neg", "setup.R", '# questionpro\nSys.setenv(SENDGRID_API_KEY = "{K}")\n', klass="heldout"),
    Case("h3-conf.lua-neg", "conf.lua", 'local id = "{K}" -- questionpro survey\n', klass="heldout"),
    Case(
        "h3-nginx.conf-neg",
        "nginx.conf",
        "proxy_pass https://api.questionpro.com;\nadd_header X-Request-Id {K};\n",
        klass="heldout",
    ),
    Case("h3-application.conf-neg", "application.conf", 'questionpro {\n  survey-id = "{K}"\n}\n', klass="heldout"),
    Case("h3-run.sh-neg", "run.sh", "# questionpro\ndocker run -e TRACE_ID={K} acme/sync\n", klass="heldout"),
    Case("h3-test_qp.py-neg", "test_qp.py", 'assert response["requestID"] == "{K}"  # questionpro\n', klass="heldout"),
    Case("h3-ids.kt-neg", "Ids.kt", '// questionpro\nval uuid = UUID.fromString("{K}")\n', klass="heldout"),
    Case(
        "h3-strings.xml-neg",
        "strings.xml",
        '<!-- questionpro -->\n<string name="google_app_id">{K}</string>\n',
        klass="heldout",
    ),
    Case("h3-s.js-neg", "s.js", 'const SESSION_TOKEN = "{K}"; // questionpro session\n', klass="heldout"),
    Case(
        "h3-qp.json-neg", "qp.json", '{"questionpro": {"surveys": [{"id": "{K}", "name": "NPS"}]}}\n', klass="heldout"
    ),
    Case(
        "h3-docker-compose.yml-neg",
        "docker-compose.yml",
        "services:\n  qp:\n    image: questionpro/sync\n    environment:\n      - SENTRY_KEY={K}\n",
        klass="heldout",
    ),
    Case("h3-a.env-neg", "a.env", "QUESTIONPRO_API_KEY=\nOTHER_SERVICE_TOKEN={K}\n", klass="heldout"),
]

# Round 4: escaped line breaks inside one logged or built request (``\r\n`` as text).
HELDOUT_POSITIVES += [
    Case(
        "h4-http-debug-log",
        "logs/sync-debug.log",
        "2024-03-01 10:00:01 DEBUG send: b'GET /a/api/v2/surveys HTTP/1.1\\r\\nHost: api.questionpro.com"
        "\\r\\napi-key: {K}\\r\\nAccept: */*\\r\\n\\r\\n'\n",
        ((1, "com"),),
        "heldout",
    ),
    Case(
        "h4-raw-request-string",
        "qp_raw.py",
        'REQUEST = "GET /a/api/v2/surveys HTTP/1.1\\r\\nHost: api.questionpro.eu\\r\\nApi-Key: {K}\\r\\n\\r\\n"\n',
        ((1, "eu"),),
        "heldout",
    ),
    Case(
        "h4-tab-separated-string",
        "export.js",
        'const row = "service\\tquestionpro\\tapi_key\\t{K}";\n',
        ((1, None),),
        "heldout",
    ),
]
HELDOUT_NEGATIVES += [
    Case(
        "h4-http-debug-log-neg",
        "logs/sync-debug.log",
        "DEBUG send: b'GET /a/api/v2/surveys HTTP/1.1\\r\\nHost: api.questionpro.com\\r\\nX-Request-Id: {K}\\r\\n'\n",
        klass="heldout",
    ),
    Case(
        "h4-escaped-other-vendor-neg",
        "notify.py",
        '# questionpro webhook relay\nMSG = "Host: api.sendgrid.com\\r\\nsendgrid-api-key: {K}\\r\\n"\n',
        klass="heldout",
    ),
]

# Round 4: a name/value pair split over two fields, numbered or prefixed (Grafana's
# ``httpHeaderName1`` in ``jsonData`` and ``httpHeaderValue1`` in ``secureJsonData``).
HELDOUT_POSITIVES += [
    Case(
        "h4-grafana-provisioning",
        "provisioning/datasources/questionpro.yaml",
        "apiVersion: 1\ndatasources:\n  - name: QuestionPro\n    type: marcusolsson-json-datasource\n"
        "    url: https://api.questionpro.com/a/api/v2\n    jsonData:\n      httpHeaderName1: api-key\n"
        "      httpHeaderName2: X-Request-Id\n    secureJsonData:\n      httpHeaderValue1: {K}\n"
        "      httpHeaderValue2: {U}\n",
        ((10, "com"),),
        "heldout",
    ),
    Case(
        "h4-grafana-json",
        "datasource.json",
        '{"name": "QuestionPro", "url": "https://api.questionpro.eu",\n'
        ' "jsonData": {"httpHeaderName1": "X-Trace", "httpHeaderName2": "api-key"},\n'
        ' "secureJsonData": {"httpHeaderValue1": "{U}", "httpHeaderValue2": "{K}"}}\n',
        ((3, "eu"),),
        "heldout",
    ),
    Case(
        "h4-prefixed-pair-hcl",
        "monitoring.tf",
        'resource "uptime_monitor" "questionpro" {\n  url          = "https://api.questionpro.com/a/api/v2/surveys"\n'
        '  header_name  = "api-key"\n  header_value = "{K}"\n}\n',
        ((4, "com"),),
        "heldout",
    ),
]
HELDOUT_NEGATIVES += [
    Case(
        "h4-grafana-other-vendor-neg",
        "provisioning/datasources/metrics.yaml",
        "# beside the QuestionPro one\ndatasources:\n  - name: Datadog\n    jsonData:\n"
        "      httpHeaderName1: DD-API-KEY\n    secureJsonData:\n      httpHeaderValue1: {K}\n",
        klass="heldout",
    ),
    Case(
        "h4-prefixed-pair-id-neg",
        "monitoring.tf",
        'resource "uptime_monitor" "questionpro" {\n  header_name  = "X-Correlation-Id"\n  header_value = "{K}"\n}\n',
        klass="heldout",
    ),
]

# Round 4, from a blind set of 77 files: an XML element's own name (Spring beans), structure
# words that name no vendor (``extra``, ``bean``), and a table's column header before the
# row's other cells (Markdown runbooks, SQL seeds).
HELDOUT_POSITIVES += [
    Case(
        "h4-spring-bean",
        "src/main/resources/applicationContext.xml",
        '<beans>\n    <bean id="questionProClient" class="com.acme.survey.QuestionProClient">\n'
        '        <property name="baseUrl" value="https://api.questionpro.com/a/api/v2"/>\n'
        '        <property name="apiKey" value="{K}"/>\n    </bean>\n</beans>\n',
        ((4, "com"),),
        "heldout",
    ),
    Case(
        "h4-airflow-extra",
        "airflow/connections.json",
        '{\n  "questionpro_default": {\n    "conn_type": "http",\n    "host": "https://api.questionpro.com",\n'
        '    "extra": "{\\"api-key\\": \\"{K}\\", \\"user_id\\": 2209184}"\n  }\n}\n',
        ((5, "com"),),
        "heldout",
    ),
    Case(
        "h4-markdown-runbook-row",
        "docs/integrations.md",
        "| Service | What it is for | Credential |\n|---|---|---|\n"
        "| QuestionPro (US) | NPS surveys, `api.questionpro.com` | `{K}` |\n| Opsgenie | paging | `{U}` |\n",
        ((3, "com"),),
        "heldout",
    ),
    Case(
        "h4-sql-seed-row",
        "db/seed.sql",
        "INSERT INTO integrations (id, provider, label, api_key) VALUES\n"
        "    ('{U}', 'questionpro', 'QP main account', '{K}');\n",
        ((2, None),),
        "heldout",
    ),
]
HELDOUT_NEGATIVES += [
    Case(
        "h4-spring-other-beans-neg",
        "applicationContext.xml",
        "<beans>\n    <!-- QuestionPro sync is configured in qp.xml -->\n"
        '    <bean id="stripeClient" class="com.stripe.StripeClient">\n'
        '        <property name="apiKey" value="{K}"/>\n    </bean>\n'
        '    <bean class="com.acme.Mailer">\n        <property name="apiKey" value="{U}"/>\n    </bean>\n</beans>\n',
        klass="heldout",
    ),
    Case(
        "h4-sql-seed-id-neg",
        "db/seed.sql",
        "INSERT INTO integrations (id, provider, api_key) VALUES\n    ('{K}', 'questionpro', 'see-vault');\n",
        klass="heldout",
    ),
]

# Round 4, from a blind set of git histories: a prose label's head word, before a
# preposition, says what the value is (``key for the … survey``), in any accents.
HELDOUT_POSITIVES += [
    Case(
        "h4-prose-key-for-survey-nfd",
        "notes/resume questionpro.txt",  # detect-secrets skips non-ASCII paths (git ls-files quotes them)
        "QuestionPro key for the re\u0301sume\u0301 survey: {K}\n",
        ((1, None),),
        "heldout",
    ),
    Case(
        "h4-prose-key-for-survey",
        "docs/keys.md",
        "- QuestionPro API key for the onboarding survey: `{K}`\n",
        ((1, None),),
        "heldout",
    ),
]
HELDOUT_NEGATIVES += [
    Case("h4-prose-id-for-account-neg", "notes.txt", "Survey id for the QuestionPro account: {K}\n", klass="heldout"),
    Case("h4-prose-request-id-neg", "notes.txt", "Request id for the QuestionPro key rotation: {K}\n", klass="heldout"),
]

# Round 4, from the blind histories: binary data stores strings back to back (a SQLite
# row, a coloured log), and a vendor's prefixed token ends in a UUID (``sdk-<uuid>``).
HELDOUT_POSITIVES += [
    Case(
        "h4-sqlite-row",
        "data/settings-store",  # detect-secrets never opens *.sqlite (a non-text extension)
        "SQLite format 3\x00\x10\x00\x01\x01\x00@  \x00\x00\x00\x02\n\x05\x00\x00\x00\x03\x0f\x7f\x00"
        "\x03+Usession.last_id{U}:\x02\x033Uquestionpro.api_key{K}&\x01\x03-3questionpro.hostapi.questionpro.com\n",
        ((2, "com"),),
        "heldout",
    ),
    Case(
        "h4-ansi-log",
        "logs/sync.log",
        "2024-05-01 INFO \x1b[32mQuestionPro api-key:\x1b[0m{K}\n2024-05-01 INFO \x1b[33mrequest id:\x1b[0m{U}\n",
        ((1, None),),
        "heldout",
    ),
]
HELDOUT_NEGATIVES += [
    Case(
        "h4-launchdarkly-sdk-prefix-neg",
        "webhooks/config.py",
        'WEBHOOK_PATH = "/hooks/questionpro"\nLAUNCHDARKLY_SDK_KEY = "sdk-{K}"\nMOBILE_KEY = "mob-{U}"\n',
        klass="heldout",
    ),
    Case(
        "h4-sqlite-id-neg",
        "data/app.sqlite",
        "SQLite format 3\x00\x10\x00\n\x03+Usession.last_id{K}:\x02\x03-3questionpro.hostapi.questionpro.com\n",
        klass="heldout",
    ),
]

# Round 4: prose around a bare key word (a commit message, an incident note): the rest of
# the sentence naming QuestionPro says whose key it is; what happened to it names nobody.
HELDOUT_POSITIVES += [
    Case(
        "h4-incident-note",
        "docs/incidents/2024-05.md",
        "## Rotation\n\nThe leaked key {K} has been revoked in QuestionPro.\n",
        ((3, None),),
        "heldout",
    ),
]
HELDOUT_NEGATIVES += [
    Case(
        "h4-incident-note-other-neg",
        "docs/incidents/2024-06.md",
        "QuestionPro sync was down.\n\nThe leaked key {K} has been revoked in Mailgun.\n",
        klass="heldout",
    ),
    Case(
        "h4-incident-request-neg",
        "docs/incidents/2024-07.md",
        "The failing request {K} was retried in QuestionPro.\n",
        klass="heldout",
    ),
]

# Round 4: a class member sent as the api-key header (``this.key``, ``self.token``, ``@key``).
HELDOUT_POSITIVES += [
    Case(
        "h4-member-this-key",
        "src/sync.ts",
        'export class SurveySync {\n  private key = "{K}";\n  async surveys() {\n'
        '    return fetch("https://api.questionpro.com/a/api/v2/surveys", { headers: { "api-key": this.key } });\n'
        "  }\n}\n",
        ((2, "com"),),
        "heldout",
    ),
    Case(
        "h4-member-self-token",
        "sync.py",
        'class SurveySync:\n    def __init__(self):\n        self.token = "{K}"\n\n    def surveys(self):\n'
        '        return requests.get("https://api.questionpro.com/a/api/v2/surveys", headers={"api-key": self.token})\n',
        ((3, "com"),),
        "heldout",
    ),
    Case(
        "h4-member-ruby-ivar",
        "lib/survey_sync.rb",
        'class SurveySync\n  def initialize\n    @key = "{K}"\n  end\n\n  def surveys\n'
        '    HTTParty.get("https://api.questionpro.eu/a/api/v2/surveys", headers: { "api-key" => @key })\n'
        "  end\nend\n",
        ((3, "eu"),),
        "heldout",
    ),
]
HELDOUT_NEGATIVES += [
    Case(
        "h4-member-bearer-neg",
        "sync.py",
        '# QuestionPro export\nclass Exporter:\n    def __init__(self):\n        self.token = "{K}"\n\n'
        '    def send(self):\n        return requests.post(URL, headers={"Authorization": f"Bearer {self.token}"})\n',
        klass="heldout",
    ),
]

# Round 4: a list of integrations whose items say which service they are for with a
# ``type:``/``provider:`` field, over a bare ``key:``/``token:``.
HELDOUT_POSITIVES += [
    Case(
        "h4-typed-integration-list",
        "config/integrations.yml",
        "integrations:\n  - type: questionpro\n    key: {K}\n  - type: mailgun\n    key: {U}\n",
        ((3, None),),
        "heldout",
    ),
    Case(
        "h4-provider-inline",
        "integrations.json",
        '{"integrations": [{"provider": "mailgun", "token": "{U}"}, {"provider": "questionpro", "token": "{K}"}]}\n',
        ((1, None),),
        "heldout",
    ),
]
HELDOUT_NEGATIVES += [
    Case(
        "h4-typed-integration-other-neg",
        "config/integrations.yml",
        "# QuestionPro is configured elsewhere\nintegrations:\n  - type: sendgrid\n    key: {K}\n",
        klass="heldout",
    ),
]

# Round 4: a value piped into the command that stores it names it by that command.
HELDOUT_POSITIVES += [
    Case(
        "h4-piped-gh-secret",
        "scripts/bootstrap.sh",
        '#!/bin/sh\necho "{K}" | gh secret set QUESTIONPRO_API_KEY --repo acme/survey-sync\n',
        ((2, None),),
        "heldout",
    ),
    Case(
        "h4-piped-docker-secret",
        "deploy/swarm.sh",
        "printf %s {K} | docker secret create questionpro_api_key -\n",
        ((1, None),),
        "heldout",
    ),
    Case(
        "h4-piped-aws-secret",
        "Makefile",
        "secrets:\n\techo -n {K} | aws secretsmanager create-secret --name prod/questionpro/api-key "
        "--secret-string file:///dev/stdin\n",
        ((2, None),),
        "heldout",
    ),
]
HELDOUT_NEGATIVES += [
    Case(
        "h4-piped-other-secret-neg",
        "scripts/bootstrap.sh",
        '# QuestionPro sync\necho "{K}" | gh secret set SENDGRID_API_KEY --repo acme/questionpro-sync\n',
        klass="heldout",
    ),
    Case(
        "h4-piped-id-neg",
        "deploy/swarm.sh",
        "# questionpro\necho {K} | docker secret create request_id -\n",
        klass="heldout",
    ),
]

# Round 4, from an attacker's review of this round's rules: what they must not break.
HELDOUT_POSITIVES += [
    Case(
        "h4-shell-default-no-colon",
        "run.sh",
        'export QUESTIONPRO_API_KEY="${QUESTIONPRO_API_KEY-{K}}"\n',
        ((1, None),),
        "heldout",
    ),
    Case(
        "h4-compose-default-no-colon",
        "docker-compose.yml",
        "services:\n  sync:\n    environment:\n      QP_API_KEY: ${QP_API_KEY-{K}}\n",
        ((4, None),),
        "heldout",
    ),
    Case(
        "h4-xml-element-with-id",
        "config.xml",
        '<config>\n  <questionpro id="main">\n    <key>{K}</key>\n  </questionpro>\n</config>\n',
        ((3, None),),
        "heldout",
    ),
]
HELDOUT_NEGATIVES += [
    Case("h4-key-for-tenant-neg", "CHANGELOG.md", "- Rotate QuestionPro API key for tenant {K}\n", klass="heldout"),
    Case(
        "h4-primary-key-prose-neg",
        "notes.txt",
        "Primary key {K} used for the QuestionPro import was reused\n",
        klass="heldout",
    ),
    Case(
        "h4-cache-key-prose-neg", "sync.log", "Cache key {K} was sent to QuestionPro with the export\n", klass="heldout"
    ),
    Case(
        "h4-state-word-fixtures-neg",
        "tests/test_client.py",
        'from questionpro import Client\n\nEXPIRED_API_KEY = "{K}"\nINVALID_API_KEY = "{U}"\n',
        klass="heldout",
    ),
    Case(
        "h4-ansi-hex-glued-neg",
        "logs/sync.log",
        "\x1b[32mINFO\x1b[0m questionpro api_key=0f{K}\n\x1b[32mINFO\x1b[0m questionpro apiKey=sdk-{U}\n",
        klass="heldout",
    ),
    Case(
        "h4-grafana-neighbour-neg",
        "provisioning/datasources/all.yaml",
        "datasources:\n  - name: Billing\n    jsonData:\n      httpHeaderName1: X-Tenant-ID\n    secureJsonData:\n"
        "      httpHeaderValue1: {K}\n  - name: QuestionPro\n    url: https://api.questionpro.com\n    jsonData:\n"
        "      httpHeaderName1: api-key\n",
        klass="heldout",
    ),
]

# Round 4, from a fifth blind set (58 whole files): a notebook cell's code nests inside
# its JSON strings; a Terraform state keeps a secret's name several lines above its value.
HELDOUT_POSITIVES += [
    Case(
        "h4-notebook-nested-dict",
        "analysis/nps.ipynb",
        '{\n "cells": [\n  {\n   "cell_type": "code",\n   "source": [\n'
        '    "# QuestionPro API keys per datacenter\\n",\n    "QP_KEYS = {\\n",\n    "    \'us\': \'{K}\',\\n",\n'
        '    "}\\n",\n    "SURVEY_IDS = {\\n",\n    "    \'us\': \'{U}\',\\n",\n    "}"\n   ]\n  }\n ]\n}\n',
        ((8, "com"),),
        "heldout",
    ),
    Case(
        "h4-terraform-state-secret",
        "terraform.tfstate",
        '{\n  "resources": [\n    {\n      "type": "azurerm_key_vault_secret",\n      "instances": [\n'
        '        {\n          "attributes": {\n            "name": "questionpro-api-key",\n'
        '            "not_before_date": null,\n            "resource_id": "/subscriptions/x/secrets/questionpro-api-key",\n'
        '            "tags": {\n              "owner": "surveys"\n            },\n            "expiration_date": null,\n'
        '            "value": "{K}",\n            "version": "b491a8a7276dd722de62ddbe3bbde3b7"\n'
        "          }\n        }\n      ]\n    }\n  ]\n}\n",
        ((15, None),),
        "heldout",
    ),
]
HELDOUT_NEGATIVES += [
    Case(
        "h5-dotnet-camelcase-vendor-section-neg",
        "appsettings.json",
        '{\n  "QuestionPro": {\n    "BaseUrl": "https://api.questionpro.com"\n  },\n  "HubSpot": {\n'
        '    "ApiKey": "{K}",\n    "PortalId": 8346513\n  },\n  "LaunchDarkly": {\n    "ApiKey": "{U}"\n  }\n}\n',
        klass="heldout",
    ),
]
HELDOUT_NEGATIVES += [
    Case(
        "h5-django-fixture-connection-fk-neg",
        "integrations/fixtures/questionpro.json",
        '[\n  {\n    "model": "integrations.surveysource",\n    "pk": 7,\n    "fields": {\n'
        '      "connection": "{K}",\n      "title": "QuestionPro NPS"\n    }\n  }\n]\n',
        klass="heldout",
    ),
    Case(
        "h5-issue-connection-prose-neg",
        ".github/ISSUE_TEMPLATE/example.md",
        "QuestionPro sync fails. Connection `{K}` shows Unauthorized in the portal.\n",
        klass="heldout",
    ),
]

# Round 4, from a sixth blind set (53 files; blind: 4 of 50 keys missed, 1 of 72 flagged):
# Confluence/Jira tables (a ``||Header||`` row, no separator line), a man page's escaped
# dashes, and a UUID inside a URL, which only its own parameter's name can name.
HELDOUT_POSITIVES += [
    Case(
        "h6-confluence-table",
        "docs/runbook.wiki",
        "h2. Keys\n\n||Environment||Host||API key||\n|prod (US)|api.questionpro.com|{K}|\n|staging|api.questionpro.eu|(in Vault)|\n",
        ((4, "com"),),
        "heldout",
    ),
    Case(
        "h6-man-page-escaped-dashes",
        "man/qpexport.1",
        ".TH QPEXPORT 1\n.SH NAME\nqpexport \\- export QuestionPro survey responses\n.SH EXAMPLES\n.nf\n"
        "qpexport \\-\\-api\\-key {K} 8812\n.fi\n",
        ((6, None),),
        "heldout",
    ),
]
HELDOUT_NEGATIVES += [
    Case(
        "h6-url-token-in-key-email-neg",
        "mail/key-regenerated.eml",
        "A new API key was generated for your QuestionPro account.\n\n"
        "To stop receiving these notices: https://www.questionpro.com/u/unsub?t={K}\n",
        klass="heldout",
    ),
    Case(
        "h6-man-page-run-id-neg",
        "man/qpexport.1",
        ".SH NAME\nqpexport \\- export QuestionPro survey responses\n.nf\nqpexport \\-\\-run\\-id {K} 8812\n",
        klass="heldout",
    ),
]

# Round 4: a SQL seed's provider column says whose each row's key is (set 4's last
# flagged non-key: a Postmark key in the row after QuestionPro's).
HELDOUT_POSITIVES += [
    Case(
        "h4-sql-provider-after-key",
        "db/seeds.sql",
        "INSERT INTO credentials (id, api_key, provider) VALUES\n  (1, '{K}', 'questionpro'),\n"
        "  (2, '{U}', 'sendgrid');\n",
        ((2, None),),
        "heldout",
    ),
]
HELDOUT_NEGATIVES += [
    Case(
        "h4-sql-provider-row-neg",
        "db/seed.sql",
        "-- QuestionPro's key is loaded from Vault\nINSERT INTO integrations (id, provider, label, api_key) VALUES\n"
        "    (7, 'postmark', 'transactional mail', '{K}');\n",
        klass="heldout",
    ),
]

# Round 5: blind sets 7 (API tooling, prose) and 8 (code idioms) missed these classes.
HELDOUT_POSITIVES += [
    Case(  # a mock's matcher words (``equalTo``) only say "this value": the header above names it
        "h8-mock-header-equal-to",
        "wiremock/mappings/questionpro-surveys.json",
        '{\n  "request": {\n    "urlPath": "/a/api/v2/surveys",\n    "headers": {\n'
        '      "api-key": { "equalTo": "{K}" }\n    }\n  }\n}\n',
        ((5, None),),
        "heldout",
    ),
    Case(  # R's default for a missing variable, on the line after the variable's name
        "h8-r-getenv-unset-next-line",
        "R/client.R",
        'qp_key <- function() {\n  Sys.getenv("QUESTIONPRO_API_KEY",\n             unset = "{K}")\n}\n',
        ((3, None),),
        "heldout",
    ),
    Case(  # a profile named for a customer, holding a QuestionPro endpoint beside its key
        "h8-profile-endpoint-beside-key",
        "config/profiles.yaml",
        "profiles:\n  northwind-eu:\n    endpoint: https://api.questionpro.eu/a/api/v2\n    user_id: 4410\n"
        "    api_key: {K}\n",
        ((5, "eu"),),
        "heldout",
    ),
    Case(  # a fixture is named for what it returns
        "h8-fixture-returns-key",
        "tests/conftest.py",
        'import pytest\n\n\n@pytest.fixture\ndef questionpro_api_key():\n    # sandbox org\n    return "{K}"\n',
        ((7, None),),
        "heldout",
    ),
    Case(  # a sibling description says what the value is, as a label would
        "h8-parameter-description-names-default",
        "infra/variables.tf",
        'variable "reporting" {\n  type        = string\n  sensitive   = true\n'
        '  description = "QuestionPro API key for the reporting org"\n  default     = "{K}"\n}\n',
        ((5, None),),
        "heldout",
    ),
    Case(  # a delimited file's provider column says whose each row's secret is (guards the negative below)
        "h7-csv-provider-column",
        "docs/credentials.csv",
        "service,kind,owner,value\nheroku,api-key,ops,(vault)\nQuestionPro,api-key,cx,{K}\n",
        ((3, None),),
        "heldout",
    ),
    Case(  # other languages' key words, accents and all
        "h7-german-key-word",
        "wiki/zugang.md",
        "| Dienst | Wert |\n|---|---|\n\nQuestionPro-API-Schlüssel: {K}\n",
        ((4, None),),
        "heldout",
    ),
]
HELDOUT_NEGATIVES += [
    Case(  # the same column, another provider's row
        "h7-csv-provider-other-row-neg",
        "docs/credentials.csv",
        "service,kind,owner,value\nQuestionPro,api-key,cx,(vault)\nHeroku,api-key,ops,{K}\n",
        klass="heldout",
    ),
    Case(  # a UUID in a URL's path is that URL's, whatever names the line's other commands
        "h8-url-path-after-key-command-neg",
        "ops/crontab",
        "# pull QuestionPro responses, then ping the health check\n"
        '15 3 * * * qp-pull --api-key "$QP_API_KEY" && curl -fsS https://hc-ping.com/{K}\n',
        klass="heldout",
    ),
    Case(  # a module's top level is not one object: the base URL above says nothing of KEY
        "h8-top-level-base-url-neg",
        "trace.rb",
        'BASE_URL = "https://api.questionpro.com/a/api/v2"\n  KEY = "{K}"\n'
        'HTTP.headers("X-Request-Id" => KEY).get(BASE_URL)\n',
        klass="heldout",
    ),
    Case(  # a function named for an id returns an id
        "h8-function-returns-id-neg",
        "lib/questionpro_ids.py",
        'def request_id():\n    """QuestionPro request id for the replay test."""\n    return "{K}"\n',
        klass="heldout",
    ),
]
HELDOUT_POSITIVES += [
    Case(  # a list item's name names what is nested under its other fields (OpenAPI parameters)
        "h7-openapi-parameter-default",
        "api/questionpro-proxy.yaml",
        "openapi: 3.0.3\ninfo:\n  title: QuestionPro proxy\npaths:\n  /surveys:\n    get:\n      parameters:\n"
        "        - name: surveyId\n          in: query\n          schema:\n            type: integer\n"
        "        - name: api-key\n          in: header\n          schema:\n            type: string\n"
        "            default: {K}\n",
        ((16, None),),
        "heldout",
    ),
]
HELDOUT_NEGATIVES += [
    Case(  # the item's name says an id; an earlier item's name (api-key) is not this one's
        "h7-openapi-parameter-request-id-neg",
        "api/questionpro-proxy.yaml",
        "openapi: 3.0.3\ninfo:\n  title: QuestionPro proxy\npaths:\n  /surveys:\n    get:\n      parameters:\n"
        "        - name: api-key\n          in: header\n          schema:\n            type: string\n"
        "        - in: header\n          name: X-Request-Id\n          schema:\n            type: string\n"
        "            default: {K}\n",
        klass="heldout",
    ),
]

# Round 5, blind set 9 (data, mobile, low-code), measured after the fixes above.
HELDOUT_POSITIVES += [
    Case(  # a name/value pair written as elements (Salesforce named credentials, SOAP configs)
        "h9-xml-name-value-elements",
        "force-app/namedCredentials/QuestionPro.namedCredential-meta.xml",
        "<NamedCredential>\n    <endpoint>https://api.questionpro.com/a/api/v2</endpoint>\n"
        "    <parameters>\n        <parameterName>api-key</parameterName>\n"
        "        <parameterType>HttpHeader</parameterType>\n        <parameterValue>{K}</parameterValue>\n"
        "    </parameters>\n</NamedCredential>\n",
        ((6, "com"),),
        "heldout",
    ),
    Case(  # a URL's password is its host's secret (an Airflow connection URI)
        "h9-url-userinfo-password",
        "deploy/airflow.env",
        "AIRFLOW_CONN_SURVEYS='http://:{K}@api.questionpro.eu:443/https'\n",
        ((1, "eu"),),
        "heldout",
    ),
    Case(  # abbreviations of structure (``conn_``) name nobody; the list item's ``conn_id`` names it
        "h9-airflow-conn-extra",
        "airflow_settings.yaml",
        "airflow:\n  connections:\n    - conn_id: questionpro_default\n      conn_type: http\n"
        "      conn_extra:\n        api-key: {K}\n    - conn_id: braze_default\n      conn_type: http\n",
        ((6, None),),
        "heldout",
    ),
]
HELDOUT_NEGATIVES += [
    Case(  # another host's URL password
        "h9-url-userinfo-other-host-neg",
        "deploy/airflow.env",
        "# QuestionPro's key comes from Vault\nAIRFLOW_CONN_CRM='http://:{K}@api.pipedrive.com:443/https'\n",
        klass="heldout",
    ),
    Case(  # a braced GUID is one value named by its own attribute, not a block under it
        "h9-braced-guid-after-description-neg",
        "ssis/QuestionPro_Load.dtsx",
        "<DTS:Executable\n"
        '  DTS:Description="Script Task: GET api.questionpro.com/a/api/v2/surveys/{SurveyId}/responses with '
        'header api-key = User::QuestionProApiKey"\n'
        '  DTS:DTSID="{{KU}}"\n  DTS:ExecutableType="Microsoft.ScriptTask">\n',
        klass="heldout",
    ),
]

# Round 5, the attacker's review of the rules above: what they wrongly took over.
HELDOUT_POSITIVES += [
    Case(  # a customer column names nobody's service: the path names the key
        "r5-customer-column",
        "questionpro/keys.csv",
        "customer,api_key\nNorthwind,{K}\n",
        ((2, None),),
        "heldout",
    ),
    Case(  # a QuestionPro URL's path does not take over the line's own name
        "r5-key-in-questionpro-url-path",
        ".env",
        "QUESTIONPRO_API_KEY=https://api.questionpro.com/{K}\n",
        ((1, "com"),),
        "heldout",
    ),
]
HELDOUT_NEGATIVES += [
    Case(  # another service's object pointing at a QuestionPro URL holds that service's key
        "r5-webhook-url-beside-other-key-neg",
        "config/integrations.yaml",
        "integrations:\n  sendgrid:\n    webhook_url: https://api.questionpro.com/a/api/v2/hooks/sendgrid\n"
        "    api_key: {K}\n",
        klass="heldout",
    ),
    Case(  # a QuestionPro host that is not its API (an error tracker), or a file named like one
        "r5-other-questionpro-host-neg",
        "config/monitoring.yaml",
        "sentry:\n  prod:\n    server: sentry.questionpro.com\n    database: questionpro.db\n    key: {K}\n",
        klass="heldout",
    ),
    Case(  # the block a return is in is an object's method, not the function further up
        "r5-return-in-unnamed-method-neg",
        "test/fixtures.js",
        "export function questionproApiKey() {\n  return process.env.QP_API_KEY;\n}\n\n"
        'export const fixtures = {\n  surveyId() {\n    return "{K}";\n  },\n};\n',
        klass="heldout",
    ),
    Case(  # other languages qualify a key after it: a session's key, a foreign key
        "r5-foreign-session-key-neg",
        "docs/notas.md",
        "QuestionPro clave de sesión: {K}\n\n| clave_foranea_questionpro | valor |\n",
        klass="heldout",
    ),
]

# Round 5, blind set 10 (web applications), measured after every fix above.
HELDOUT_POSITIVES += [
    Case(  # a description names its subject early: the words in brackets at its end do not
        "h10-app-json-description-value",
        "app.json",
        '{\n  "env": {\n    "QP_KEY": {\n      "description": "QuestionPro api-key for review apps (demo org)",\n'
        '      "value": "{K}"\n    }\n  }\n}\n',
        ((5, None),),
        "heldout",
    ),
]
HELDOUT_NEGATIVES += [
    Case(  # a description that calls the value a placeholder is believed (as a placeholder name is)
        "h10-described-placeholder-neg",
        "infra/variables.tf",
        'variable "questionpro_api_key" {\n  description = "Placeholder, overwritten in CI"\n'
        '  default     = "{K}"\n}\n',
        klass="heldout",
    ),
]

# Round 5, the second attacker's review: what the first review's fixes took too far.
HELDOUT_POSITIVES += [
    Case(  # another language's key word last in a name is a key word
        "r6-foreign-key-word-last",
        "deploy/.env",
        "QUESTIONPRO_CHAVE={K}\n",
        ((1, None),),
        "heldout",
    ),
    Case(  # a return inside an if is still the function's
        "r6-return-in-inner-block",
        "tests/conftest.py",
        'import os\n\n\ndef questionpro_api_key():\n    if os.environ.get("CI"):\n        return "{K}"\n'
        '    return os.environ["QUESTIONPRO_API_KEY"]\n',
        ((6, None),),
        "heldout",
    ),
    Case(  # an endpoint field's name may say more than "url"
        "r6-api-base-url-beside-token",
        "config/profiles.yaml",
        "profiles:\n  northwind:\n    api_base_url: https://api.questionpro.eu/a/api/v2\n    token: {K}\n",
        ((4, "eu"),),
        "heldout",
    ),
    Case(  # a list item named for a customer, then a stage: the customer names nobody's service
        "r6-customer-item-under-questionpro",
        "config/questionpro.yaml",
        "questionpro:\n  customers:\n    - name: northwind\n      prod:\n        api_key: {K}\n",
        ((5, None),),
        "heldout",
    ),
]
HELDOUT_NEGATIVES += [
    Case(  # Visual Studio's project GUIDs, whatever the project is called
        "r6-sln-project-guid-neg",
        "Acme.sln",
        'Project("{FAE04EC0-301F-11D3-BF4B-00C04F79EFBC}") = "Acme.QuestionPro.Client", '
        '"src\\Acme.QuestionPro.Client\\Acme.QuestionPro.Client.csproj", "{{KU}}"\nEndProject\n',
        klass="heldout",
    ),
    Case(  # a URL password for a host that only has "qp" in its name
        "r6-userinfo-qp-named-host-neg",
        ".env",
        "# QuestionPro export\nSEARCH_URL=http://elastic:{K}@qp-elastic:9200\n",
        klass="heldout",
    ),
    Case(  # an External Secret's remote key is the vault's id for the secret, not the secret
        "r6-external-secret-remote-key-neg",
        "k8s/survey-sync-secret.yaml",
        "kind: ExternalSecret\nspec:\n  data:\n    - secretKey: QUESTIONPRO_API_KEY\n      remoteRef:\n"
        '        key: "{K}"\n',
        klass="heldout",
    ),
    Case(  # an inventory of other vendors' keys, notes mentioning QuestionPro
        "r6-vendor-inventory-neg",
        "ops/vendors.csv",
        "system,api_key,notes\nHeroku,{K},used by the questionpro export job\n",
        klass="heldout",
    ),
]

# Round 5, blind set 11 (a cross-section, written after every fix above).
HELDOUT_POSITIVES += [
    Case(  # ``default_var=`` is the default of the variable named beside it (Airflow)
        "h11-default-var-beside-name",
        "dags/nps_daily.py",
        "from airflow.models import Variable\n\n\ndef qp_key():\n    return Variable.get(\n"
        '        "questionpro_api_key",\n        default_var="{K}",\n    )\n',
        ((7, None),),
        "heldout",
    ),
]
HELDOUT_NEGATIVES += [
    Case(  # a SQL row whose own cells say it is a key: its provider cell says whose
        "h11-sql-provider-row-with-label-neg",
        "db/V2__credentials.sql",
        "-- QuestionPro and the other vendors' credentials, per environment\n"
        "INSERT INTO credential (id, provider, environment, label, secret_value) VALUES\n"
        "  (1, 'questionpro', 'prod', 'api-key',          NULL),\n"
        "  (2, 'heroku',      'prod', 'platform-api-key', '{K}');\n",
        klass="heldout",
    ),
    Case(  # the id Jenkins stores a secret under (its UI makes it a UUID), not the secret
        "h11-jenkins-credentials-id-neg",
        "Jenkinsfile",
        "pipeline {\n  environment {\n    // QuestionPro export\n    QP_API_KEY = credentials('{K}')\n  }\n}\n",
        klass="heldout",
    ),
]

# Round 5, the third attacker's review: what the second review's fixes took too far.
HELDOUT_POSITIVES += [
    Case(  # braces around a key named as one on its own line (a docs placeholder filled in)
        "r7-braced-key-own-name",
        ".env",
        "QUESTIONPRO_API_KEY={{K}}\n",
        ((1, None),),
        "heldout",
    ),
    Case(  # a camelCase naming field on a list item's first line
        "r7-item-camel-case-name",
        "config/services.yaml",
        "services:\n  - serviceName: questionpro\n    auth:\n      token: {K}\n",
        ((4, None),),
        "heldout",
    ),
    Case(  # a glued endpoint field name
        "r7-glued-base-url-beside-key",
        "profiles.json",
        '{\n  "acme-eu": {\n    "baseurl": "https://api.questionpro.eu/a/api/v2",\n    "key": "{K}"\n  }\n}\n',
        ((4, "eu"),),
        "heldout",
    ),
    Case(  # a gateway's URL password named by the connection it is
        "r7-userinfo-gateway-named-connection",
        "airflow.env",
        "AIRFLOW_CONN_QUESTIONPRO=https://apikey:{K}@questionpro-gw.acme.io/\n",
        ((1, None),),
        "heldout",
    ),
    Case(  # credentials(…) outside a Jenkinsfile is a call like any other
        "r7-credentials-call-outside-jenkins",
        "app/settings.py",
        'QUESTIONPRO_API_KEY = credentials("{K}")\n',
        ((1, None),),
        "heldout",
    ),
]
HELDOUT_NEGATIVES += [
    Case(  # a survey's public link is not QuestionPro's API: its neighbours are the survey's
        "r7-survey-link-beside-password-neg",
        "config/acme.yaml",
        "acme:\n  survey_url: https://www.questionpro.com/t/AbCdE\n  password: {K}\n",
        klass="heldout",
    ),
]
HELDOUT_NEGATIVES += [
    Case(  # a Jenkinsfile with a suffix is one too
        "r7-jenkinsfile-suffixed-credentials-id-neg",
        "ci/Jenkinsfile.nightly",
        "pipeline {\n  environment {\n    QUESTIONPRO_API_KEY = credentials('{K}')\n  }\n}\n",
        klass="heldout",
    ),
]

# Round 5, the fourth attacker's review: the third review's fixes.
HELDOUT_POSITIVES += [
    Case(  # a datacenter's bare domain is QuestionPro's service, as its API host is
        "r8-bare-domain-host-beside-secret",
        "config/profiles.yaml",
        "profiles:\n  acme:\n    host: questionpro.eu\n    secret: {K}\n",
        ((4, "eu"),),
        "heldout",
    ),
    Case(  # a user's name on a list item says nothing of the keys nested in it
        "r8-user-name-item-over-datacenter-key",
        "config/keys.yaml",
        "qp_api_keys:\n  - userName: survey-admin\n    prod:\n      eu: {K}\n",
        ((4, "eu"),),
        "heldout",
    ),
]
HELDOUT_NEGATIVES += [
    Case(  # another company's service URL named for QuestionPro: that service's password
        "r8-userinfo-qp-named-url-of-other-service-neg",
        ".env",
        "QP_SYNC_REDIS_URL=https://default:{K}@redis-1.c1.ec2.cloud.redislabs.com:12345\n",
        klass="heldout",
    ),
    Case(  # Jenkins configuration as code: credentials('…') is a lookup by id there too
        "r8-jcasc-credentials-id-neg",
        "jenkins/casc.yaml",
        "jobs:\n  - script: >\n      pipelineJob('questionpro-export') {\n"
        "        environment {\n          QUESTIONPRO_API_KEY = credentials('{K}')\n        }\n      }\n",
        klass="heldout",
    ),
    Case(  # a braced id's own attribute is its name, not another attribute on the line
        "r8-braced-id-beside-named-attribute-neg",
        "ssis/Export.dtsx",
        '<DTS:Variable DTS:ObjectName="QuestionProApiKey" DTS:DTSID="{{KU}}" DTS:Namespace="User">\n',
        klass="heldout",
    ),
]

# Round 5, the fifth attacker's review: f95626a.
HELDOUT_POSITIVES += [
    Case(  # .NET appSettings: the key attribute names the braced value (a docs placeholder filled in)
        "r9-appsettings-braced-value",
        "Web.config",
        '<appSettings>\n  <add key="QuestionProApiKey" value="{{K}}" />\n</appSettings>\n',
        ((2, None),),
        "heldout",
    ),
    Case(  # Airflow's conn ids end in _default; a cluster-internal gateway names no company
        "r9-userinfo-cluster-gateway-default-conn",
        "airflow.env",
        "AIRFLOW_CONN_QUESTIONPRO_DEFAULT='http://:{K}@questionpro-proxy.default.svc.cluster.local:8080/https'\n",
        ((1, None),),
        "heldout",
    ),
    Case(  # a gateway on a company domain, the line naming QuestionPro's key
        "r9-userinfo-gateway-key-name",
        ".env",
        "QUESTIONPRO_API_KEY=https://apikey:{K}@questionpro-gw.acme.io\n",
        ((1, None),),
        "heldout",
    ),
    Case(  # credentials(…) in a Vue component is a call like any other
        "r9-credentials-call-in-vue",
        "src/Survey.vue",
        "<script>\nconst QUESTIONPRO_API_KEY = credentials('{K}')\n</script>\n",
        ((2, None),),
        "heldout",
    ),
]

# Round 6: blind set 12 (keys written through layers of escaping) and fallback idioms.
HELDOUT_POSITIVES += [
    Case(  # a task's ``type`` is a kind of task, not whose the header in its command is
        "h12-vscode-task-type-is-not-owner",
        ".vscode/tasks.json",
        '{\n  "tasks": [\n    {\n      "label": "list responses",\n      "type": "shell",\n'
        '      "command": "curl -s -H \\"api-key: {K}\\" \\"https://api.questionpro.com/a/api/v2/surveys\\""\n'
        "    }\n  ]\n}\n",
        ((6, "com"),),
        "heldout",
    ),
    Case(  # URL-encoded JSON in a logged query: %22 before the key is an escaped quote
        "h12-urlencoded-json-in-query",
        "logs/access.log",
        '10.0.0.1 - - [11/Apr/2024:06:02:11 +0000] "GET /fwd?target=https%3A%2F%2Fapi.questionpro.sg%2Fa%2Fapi'
        '&hdrs=%7B%22api-key%22%3A%22{K}%22%7D HTTP/1.1" 200 48213\n',
        ((1, "sg"),),
        "heldout",
    ),
    Case(  # an Airflow connection's form-encoded extras (``+`` is a space)
        "h12-airflow-conn-urlencoded-extra",
        "deploy/connections.env",
        "AIRFLOW_CONN_CX_EU='https://api.questionpro.eu/a/api/v2?__extra__="
        "%7B%22headers%22%3A+%7B%22api-key%22%3A+%22{K}%22%7D%7D'\n",
        ((1, "eu"),),
        "heldout",
    ),
    Case(  # System.Text.Json writes quotes as \u0022
        "h12-serilog-unicode-escaped-header",
        "logs/gateway.clef",
        '{"@mt":"Request headers {Headers}","Headers":"{\\u0022api-key\\u0022:\\u0022{K}\\u0022}",'
        '"SourceContext":"Acme.Cx.QuestionPro.QuestionProClient"}\n',
        ((1, None),),
        "heldout",
    ),
    Case(  # a job's arguments, JSON inside a JSON string (redis-cli's dump)
        "h12-sidekiq-escaped-arguments",
        "debug/queue.txt",
        '1) "{\\"wrapped\\":\\"QuestionPro::ExportResponsesJob\\",\\"args\\":[{\\"arguments\\":[11839274,'
        '{\\"api_key\\":\\"{K}\\",\\"data_center\\":\\"ca\\"}]}]}"\n',
        ((1, "ca"),),
        "heldout",
    ),
    Case(  # JMeter: the header's name and value are two properties named by attribute
        "h12-jmeter-header-name-value",
        "loadtest/qp.jmx",
        '<HeaderManager testname="QP headers">\n  <collectionProp name="HeaderManager.headers">\n'
        '    <elementProp name="" elementType="Header">\n'
        '      <stringProp name="Header.name">api-key</stringProp>\n'
        '      <stringProp name="Header.value">{K}</stringProp>\n    </elementProp>\n  </collectionProp>\n'
        '</HeaderManager>\n<stringProp name="HTTPSampler.domain">api.questionpro.com</stringProp>\n',
        ((5, "com"),),
        "heldout",
    ),
    Case(  # a minifier's constant, sent as the api-key header a little further on
        "h12-minified-constant-sent-as-header",
        "dist/assets/index.js",
        'const Kr="https://api.questionpro.eu/a/api/v2",Qn="{K}";function Lr(e){return fetch(`${Kr}/surveys/${e}`,'
        '{headers:{"api-key":Qn,Accept:"application/json"}})}\n',
        ((1, "eu"),),
        "heldout",
    ),
    Case(  # PHP's serialized form: s:N: frames each string, the name is the string before
        "h12-php-serialized-option",
        "backups/wp_options.sql",
        "INSERT INTO `wp_options` VALUES (812,'questionpro_embed_settings','a:2:{s:7:\\\"api_key\\\";"
        's:36:\\"{K}\\";s:10:\\"datacenter\\";s:2:\\"eu\\";}\',\'yes\');\n',
        ((1, None),),
        "heldout",
    ),
    Case(  # Rust's fallback for an unset variable
        "r10-fallback-unwrap-or-else",
        "src/config.rs",
        'fn key() -> String {\n    std::env::var("QUESTIONPRO_API_KEY")\n'
        '        .unwrap_or_else(|_| "{K}".to_string())\n}\n',
        ((3, None),),
        "heldout",
    ),
    Case(  # Java's
        "r10-fallback-require-non-null-else",
        "src/main/java/Cfg.java",
        'class Cfg {\n    String qp = Objects.requireNonNullElse(System.getenv("QUESTIONPRO_API_KEY"),\n'
        '        "{K}");\n}\n',
        ((3, None),),
        "heldout",
    ),
    Case(  # SQL's
        "r10-fallback-coalesce",
        "db/settings.sql",
        "SELECT COALESCE(current_setting('app.questionpro_api_key', true), '{K}');\n",
        ((1, None),),
        "heldout",
    ),
    Case(  # an enum pairing each datacenter's endpoint with its key
        "r10-endpoint-and-key-positional",
        "src/main/java/QpRegion.java",
        'public enum QpRegion {\n    EU("https://api.questionpro.eu", "{K}");\n'
        "    QpRegion(String host, String key) {}\n}\n",
        ((2, "eu"),),
        "heldout",
    ),
    Case(  # the key first, then the endpoint
        "r10-key-then-endpoint-positional",
        "regions.py",
        'EU = Region("{K}", "https://api.questionpro.eu/a/api/v2")\n',
        ((1, "eu"),),
        "heldout",
    ),
]
HELDOUT_NEGATIVES += [
    Case(  # nginx's request id at the end of a line that also carries an api-key
        "h12-nginx-rid-neg",
        "logs/access.log",
        '10.0.0.1 - - "GET /fwd?target=https%3A%2F%2Fapi.questionpro.sg&hdrs=%7B%22api-key%22%3A%22xxx%22%7D '
        'HTTP/1.1" 200 48213 "-" "python-requests/2.31.0" rid={K} rt=0.842\n',
        klass="heldout",
    ),
    Case(  # Terraform's id of a secret's version: ARN|VersionId
        "h12-arn-version-id-neg",
        "infra/terraform.tfstate",
        '{\n  "attributes": {\n    "id": "arn:aws:secretsmanager:eu-west-1:482913305118:secret:cx/questionpro-Xk2P9a|{K}",\n'
        '    "version_id": "{K}"\n  }\n}\n',
        klass="heldout",
    ),
    Case(  # surveys' public pages are not the API
        "r10-www-endpoint-positional-neg",
        "regions.py",
        'PUB = Region("{K}", "https://www.questionpro.com/t/abc")\n',
        klass="heldout",
    ),
    Case(  # another service's endpoint beside the value
        "r10-other-endpoint-positional-neg",
        "regions.py",
        '# questionpro and hubspot regions\nHS = Region("https://api.hubspot.com", "{K}")\n',
        klass="heldout",
    ),
    Case(  # a minifier reuses names in every scope: a use far away says nothing
        "h12-minified-name-reused-far-away-neg",
        "dist/assets/index.js",
        'function a(Qn){return fetch("https://api.questionpro.eu/a/api/v2",{headers:{"api-key":Qn}})}'
        + "/*"
        + "x" * 6000
        + "*/"
        + 'const Qn="{K}";\n',
        klass="heldout",
    ),
]
HELDOUT_POSITIVES += [
    Case(  # OpenTelemetry's attributes: a key/value pair whose value is nested one level down
        "h12-otel-nested-key-value",
        "debug/otel-export.json",
        '{"attributes":[{"key":"http.url","value":{"stringValue":"https://api.questionpro.com/a/api/v2/surveys"}},'
        '{"key":"http.request.header.api_key","value":{"arrayValue":{"values":[{"stringValue":"{K}"}]}}}]}\n',
        ((1, "com"),),
        "heldout",
    ),
]
HELDOUT_NEGATIVES += [
    Case(  # the same shape holding a request id
        "h12-otel-nested-request-id-neg",
        "debug/otel-export.json",
        '{"attributes":[{"key":"http.url","value":{"stringValue":"https://api.questionpro.com/a/api/v2/surveys"}},'
        '{"key":"http.request.header.x_request_id","value":{"arrayValue":{"values":[{"stringValue":"{K}"}]}}}]}\n',
        klass="heldout",
    ),
]

# Round 6: the attacker's review of the changes above (dba8ba3..a85081b).
HELDOUT_POSITIVES += [
    Case(  # an ARN names a value it is the name of: judged by its words
        "r11-arn-named-secret",
        "rotate.sh",
        "aws ssm put-parameter --name arn:aws:ssm:us-east-1:123456789012:parameter/prod/questionpro/api-key "
        "--type SecureString --value {K}\n",
        ((1, None),),
        "heldout",
    ),
    Case(  # a type field that names a kind of credential still says what the object holds
        "r11-type-api-key-object",
        "sources.yml",
        "# QuestionPro export\nsource:\n  url: https://api.questionpro.com/a/api/v2/surveys\n  auth:\n"
        "    type: api_key\n    token: {K}\n",
        ((6, "com"),),
        "heldout",
    ),
    Case(  # a data type above a secret's value says nothing of whose it is (Snowflake)
        "r11-type-generic-string",
        "snowflake/questionpro.sql",
        "CREATE OR REPLACE NETWORK RULE qp_egress MODE = EGRESS TYPE = HOST_PORT VALUE_LIST = ('api.questionpro.com');\n"
        "CREATE OR REPLACE SECRET qp_api_key\n  TYPE = GENERIC_STRING\n  SECRET_STRING = '{K}';\n",
        ((4, "com"),),
        "heldout",
    ),
]
HELDOUT_NEGATIVES += [
    Case(  # another service named by a type field still rules the value out
        "r11-type-other-service-neg",
        "integrations.yml",
        "# alerting for the questionpro sync\nintegrations:\n  - type: opsgenie\n    api_key: {K}\n",
        klass="heldout",
    ),
    Case(  # a resource's URL goes with a request id, not a key
        "r11-resource-url-beside-value-neg",
        "tests/test_client.py",
        '@pytest.mark.parametrize("url, request_id", [\n'
        '    ("https://api.questionpro.com/a/api/v2/surveys/123", "{K}"),\n])\n',
        klass="heldout",
    ),
    Case(  # a query parameter is named by its own name, not by an api_key parameter before it
        "r11-escaped-path-id-after-api-key-param-neg",
        "logs/access.log",
        "POST /hooks/questionpro?api_key=REDACTED&next=%2Fsurveys%2F{K}%2Fresults HTTP/1.1\n",
        klass="heldout",
    ),
    Case(
        "r11-query-state-after-api-key-param-neg",
        "logs/access.log",
        "GET /callback/questionpro?api_key=REDACTED&state=%22{K}%22 HTTP/1.1\n",
        klass="heldout",
    ),
    Case(  # a minifier's name rebound as a parameter before its use is another variable
        "r11-minified-name-shadowed-neg",
        "dist/index.js",
        'var a=require("uuid"),r="{K}";function o(e){return a.v5(e,r)}'
        'function i(e,r){return fetch("https://api.questionpro.com/a/api/v2/surveys/"+e,{headers:{"api-key":r}})}\n',
        klass="heldout",
    ),
    Case(  # JMeter writes an argument's value before its name: the pair is one element
        "r11-jmeter-argument-value-before-name-neg",
        "loadtest/qp.jmx",
        '<collectionProp name="Arguments.arguments">\n'
        '  <elementProp name="apiKey" elementType="HTTPArgument">\n'
        '    <stringProp name="Argument.value">${QP_KEY}</stringProp>\n'
        '    <stringProp name="Argument.name">apiKey</stringProp>\n  </elementProp>\n'
        '  <elementProp name="folderId" elementType="HTTPArgument">\n'
        '    <stringProp name="Argument.value">{K}</stringProp>\n'
        '    <stringProp name="Argument.name">folderId</stringProp>\n  </elementProp>\n'
        "</collectionProp>\n<!-- api.questionpro.com -->\n",
        klass="heldout",
    ),
]

# Round 6: blind set 13 (a cross-section of a monorepo), its false flags.
HELDOUT_POSITIVES += [
    Case(  # a CI step's inputs: the action it runs says whose token it is
        "h13-step-uses-questionpro-action",
        ".github/workflows/export.yml",
        "jobs:\n  export:\n    steps:\n      - uses: acme/questionpro-export@v2\n        with:\n          token: {K}\n",
        ((6, None),),
        "heldout",
    ),
]
HELDOUT_NEGATIVES += [
    Case(  # Helm's --set path: the indices do not cut the name in two
        "h13-helm-set-path-other-service-neg",
        "helmfile.d/30-qp-sync.yaml",
        "# qp-sync failures page cx on-call through this\nreleases:\n  - name: alertmanager\n    set:\n"
        "      - name: config.receivers[1].opsgenie_configs[0].api_key\n        value: {K}\n",
        klass="heldout",
    ),
    Case(  # another action's inputs, in a file that names QuestionPro
        "h13-step-uses-other-service-neg",
        ".github/workflows/ci.yml",
        "# questionpro sync\njobs:\n  test:\n    steps:\n      - uses: codecov/codecov-action@v4\n        with:\n"
        "          token: {K}\n",
        klass="heldout",
    ),
    Case(  # kubelet's name_namespace(uid): a pod's uid, not a constructor's argument
        "h13-pod-uid-neg",
        "tickets/OPS-3902.txt",
        "  Warning  BackOff  2m  kubelet  Back-off restarting failed container qp-sync in pod "
        "qp-sync-eu-7c9f8d6b5d-x2kqm_cx({K})\n",
        klass="heldout",
    ),
]

# Round 6: the second attacker's review (of b3ba831 and 97d100c).
HELDOUT_POSITIVES += [
    Case(  # QuestionPro named far above an escaped header: the unescaped window keeps the file's mention
        "r12-escaped-header-far-from-mention",
        "logs/proxy.log",
        "# access log for questionpro-sync\n"
        + "10.0.0.9 - - GET /healthz 200 rid=-\n" * 200
        + "10.0.0.9 - - GET /fwd?headers=%7B%22api-key%22%3A%22{K}%22%7D 200\n",
        ((202, None),),
        "heldout",
    ),
    Case(  # a generic type field does not hide the object's name above it
        "r12-type-custom-under-name",
        "integrations.yml",
        "sources:\n  - name: questionpro\n    type: custom\n    base_url: https://api.questionpro.com/a/api/v2\n"
        "    api_key: {K}\n",
        ((5, "com"),),
        "heldout",
    ),
    Case(  # a CI step's generic tool does not rule its key out; the step's name says QuestionPro
        "r12-step-generic-tool",
        ".github/workflows/export.yml",
        "jobs:\n  export:\n    steps:\n      - name: Export QuestionPro responses\n"
        "        uses: acme-corp/survey-export-action@v2\n        with:\n          api_key: {K}\n",
        ((7, None),),
        "heldout",
    ),
    Case(  # a minified name passed to a call and compared is still the same variable
        "r12-minified-name-used-in-calls",
        "dist/index.js",
        'const Kr="https://api.questionpro.eu/a/api/v2",Qn="{K}";console.debug("qp",Qn);if(Qn==null)throw 1;'
        'function Lr(e){return fetch(Kr+"/surveys/"+e,{headers:{"api-key":Qn}})}\n',
        ((1, "eu"),),
        "heldout",
    ),
    Case(  # a key word as a URL's query parameter keeps the URL's host as its owner
        "r12-query-key-on-questionpro-url",
        "export.sh",
        'curl "https://api.questionpro.com/a/api/v2/surveys?key={K}"\n',
        ((1, "com"),),
        "heldout",
    ),
    Case(  # QuestionPro's base URL with the user's id
        "r12-endpoint-users-base",
        "client.py",
        'client = SurveyClient("https://api.questionpro.com/a/api/v2/users/4412", "{K}")\n',
        ((1, "com"),),
        "heldout",
    ),
]
HELDOUT_NEGATIVES += [
    Case(  # ECS's valueFrom: the ARN names the secret, the UUID after :: is its version
        "r12-arn-version-in-value-from-neg",
        "task.yml",
        "secrets:\n  - name: QUESTIONPRO_API_KEY\n    valueFrom: arn:aws:secretsmanager:us-east-1:123456789012:"
        "secret:prod/questionpro-AbCdEf:api_key::{K}\n",
        klass="heldout",
    ),
    Case(  # CloudFormation's dynamic reference: the same
        "r12-cfn-resolve-version-neg",
        "template.yml",
        "Environment:\n  QUESTIONPRO_API_KEY: '{{resolve:secretsmanager:prod/questionpro:SecretString:api_key::{K}}}'\n",
        klass="heldout",
    ),
    Case(  # a generic type field passed over: the other service named above it still rules out
        "r12-type-rest-under-other-name-neg",
        "integrations.yml",
        "# questionpro and friends\nsources:\n  - name: heroku\n    type: rest\n    api_key: {K}\n",
        klass="heldout",
    ),
]
HELDOUT_POSITIVES += [
    Case(  # Caddy sets the header on requests to QuestionPro: header_up is a directive, not an owner
        "h13-caddy-header-up",
        "ops/caddy/Caddyfile",
        "handle /qp/* {\n  reverse_proxy https://api.questionpro.eu {\n    header_up Host api.questionpro.eu\n"
        "    header_up api-key {K}\n  }\n}\n",
        ((4, "eu"),),
        "heldout",
    ),
    Case(  # a CLI's profiles are sections, not owners
        "h13-cli-profiles-toml",
        ".config/qpcli/config.toml",
        '[profiles.eu]\nbase_url = "https://api.questionpro.eu/a/api/v2"\napi_key = "{K}"\n',
        ((3, "eu"),),
        "heldout",
    ),
]
HELDOUT_NEGATIVES += [
    Case(  # another service's profile still names its owner
        "h13-cli-profile-other-service-neg",
        ".config/tools/config.toml",
        '# questionpro export settings live elsewhere\n[profiles.heroku]\napi_key = "{K}"\n',
        klass="heldout",
    ),
]
