"""Held-out rows, fourth round (issue 9, item 4): formats no earlier row uses, written
before the detector was run on them; their first score is in issue 9's closing note.
Folded into the corpus like every other row (import them through ``tests.corpus``)."""

from __future__ import annotations

from tests.corpus import Case

ROUND4_POSITIVES = [
    Case(
        "r4-gradle-props",
        "gradle.properties",
        "org.gradle.jvmargs=-Xmx2g\nsystemProp.questionpro.apiKey={K}\n",
        ((2, None),),
        "heldout",
    ),
    Case(
        "r4-dockerfile-arg",
        "docker/Dockerfile.worker",
        "FROM python:3.12-slim\nARG QUESTIONPRO_API_KEY={K}\nENV QP_KEY=${QUESTIONPRO_API_KEY}\n",
        ((2, None),),
        "heldout",
    ),
    Case(
        "r4-gha-step-env",
        ".github/workflows/sync.yml",
        "jobs:\n  sync:\n    runs-on: ubuntu-latest\n    steps:\n      - run: python sync.py\n"
        "        env:\n          QUESTIONPRO_TOKEN: {K}\n",
        ((7, None),),
        "heldout",
    ),
    Case(
        "r4-apache-setenv",
        "httpd-vhosts.conf",
        "<VirtualHost *:443>\n  ServerName surveys.acme.test\n  SetEnv QUESTIONPRO_API_KEY {K}\n</VirtualHost>\n",
        ((3, None),),
        "heldout",
    ),
    Case(
        "r4-windows-reg",
        "qp-settings.reg",
        'Windows Registry Editor Version 5.00\n\n[HKEY_CURRENT_USER\\Software\\Acme\\QuestionPro]\n"ApiKey"="{K}"\n',
        ((4, None),),
        "heldout",
    ),
    Case(
        "r4-plist",
        "App/Secrets.plist",
        '<?xml version="1.0" encoding="UTF-8"?>\n<plist version="1.0">\n<dict>\n'
        "\t<key>QuestionProAPIKey</key>\n\t<string>{K}</string>\n</dict>\n</plist>\n",
        ((5, None),),
        "heldout",
    ),
    Case(
        "r4-jenkinsfile",
        "Jenkinsfile",
        "pipeline {\n  agent any\n  environment {\n    QUESTIONPRO_API_KEY = '{K}'\n  }\n}\n",
        ((4, None),),
        "heldout",
    ),
    Case("r4-vault-kv", "bootstrap.sh", "vault kv put secret/questionpro api_key={K}\n", ((1, None),), "heldout"),
    Case(
        "r4-pulumi-config",
        "Pulumi.prod.yaml",
        "config:\n  survey-sync:questionproApiKey: {K}\n",
        ((2, None),),
        "heldout",
    ),
    Case(
        "r4-serverless",
        "serverless.yml",
        "service: survey-sync\nprovider:\n  name: aws\n  environment:\n    QP_API_KEY: {K}\n",
        ((5, None),),
        "heldout",
    ),
    Case("r4-procfile", "Procfile", "worker: QUESTIONPRO_API_KEY={K} python worker.py\n", ((1, None),), "heldout"),
    Case(
        "r4-hasura-action",
        "metadata/actions.yaml",
        "- name: syncSurveys\n  definition:\n    handler: https://api.questionpro.com/a/api/v2/surveys\n"
        "    headers:\n      - name: api-key\n        value: {K}\n",
        ((6, "com"),),
        "heldout",
    ),
    Case(
        "r4-airflow-conn",
        "airflow_connections.json",
        '{"questionpro_default": {"conn_type": "http", "host": "api.questionpro.eu", "password": "{K}"}}\n',
        ((1, "eu"),),
        "heldout",
    ),
    Case(
        "r4-arm-params",
        "azuredeploy.parameters.json",
        '{\n  "parameters": {\n    "questionProApiKey": {\n      "value": "{K}"\n    }\n  }\n}\n',
        ((4, None),),
        "heldout",
    ),
    Case("r4-bicep", "main.bicep", "param questionProApiKey string = '{K}'\n", ((1, None),), "heldout"),
    Case(
        "r4-cdk",
        "lib/sync-stack.ts",
        "new lambda.Function(this, 'Sync', {\n  environment: {\n    QUESTIONPRO_API_KEY: '{K}',\n  },\n});\n",
        ((3, None),),
        "heldout",
    ),
    Case(
        "r4-laravel-env",
        ".env.local",
        "APP_NAME=Surveys\nQUESTIONPRO_KEY={K}\nQUESTIONPRO_ENV=eu\n",
        ((2, "eu"),),
        "heldout",
    ),
    Case("r4-hiera", "hieradata/common.yaml", "---\nprofile::questionpro::api_key: '{K}'\n", ((2, None),), "heldout"),
    Case(
        "r4-chef-databag",
        "data_bags/apis/questionpro.json",
        '{\n  "id": "questionpro",\n  "api_key": "{K}"\n}\n',
        ((3, None),),
        "heldout",
    ),
    Case(
        "r4-elixir-getenv",
        "config/runtime.exs",
        'config :survey_app, QuestionPro,\n  api_key: System.get_env("QP_API_KEY", "{K}")\n',
        ((2, None),),
        "heldout",
    ),
    Case(
        "r4-scala-getorelse",
        "src/main/scala/Qp.scala",
        'val questionProKey: String = sys.env.getOrElse("QP_KEY", "{K}")\n',
        ((1, None),),
        "heldout",
    ),
    Case("r4-c-define", "include/qp_keys.h", '#define QUESTIONPRO_API_KEY "{K}"\n', ((1, None),), "heldout"),
    Case(
        "r4-ansible-ini",
        "inventory/hosts.ini",
        "[sync_servers:vars]\nquestionpro_api_key={K}\n",
        ((2, None),),
        "heldout",
    ),
    Case(
        "r4-rest-client",
        "requests/surveys.http",
        "GET https://api.questionpro.com/a/api/v2/surveys\napi-key: {K}\n",
        ((2, "com"),),
        "heldout",
    ),
    Case(
        "r4-curl-doc",
        "docs/api.md",
        'Try it:\n\n    curl -H "api-key: {K}" https://api.questionpro.eu/a/api/v2/users\n',
        ((3, "eu"),),
        "heldout",
    ),
    Case(
        "r4-laravel-services",
        "config/services.php",
        "'questionpro' => [\n    'key' => env('QUESTIONPRO_KEY', '{K}'),\n],\n",
        ((2, None),),
        "heldout",
    ),
    Case(
        "r4-nix", "configuration.nix", 'environment.variables.QUESTIONPRO_API_KEY = "{K}";\n', ((1, None),), "heldout"
    ),
]

ROUND4_NEGATIVES = [
    Case("r4-dockerfile-dd-neg", "Dockerfile", "# syncs QuestionPro\nARG DATADOG_API_KEY={K}\n", klass="heldout"),
    Case(
        "r4-gha-launchdarkly-neg",
        ".github/workflows/ci.yml",
        "env:\n  QUESTIONPRO_URL: https://api.questionpro.com\n  LAUNCHDARKLY_SDK_KEY: {K}\n",
        klass="heldout",
    ),
    Case(
        "r4-plist-onesignal-neg",
        "Info.plist",
        "<dict>\n\t<key>QuestionProEnabled</key>\n\t<true/>\n\t<key>OneSignalAppID</key>\n\t<string>{K}</string>\n</dict>\n",
        klass="heldout",
    ),
    Case(
        "r4-jenkins-build-id-neg",
        "Jenkinsfile",
        "environment {\n  QUESTIONPRO_API_KEY = credentials('qp-key')\n  BUILD_UUID = '{K}'\n}\n",
        klass="heldout",
    ),
    Case(
        "r4-airflow-survey-neg",
        "connections.json",
        '{"questionpro_default": {"conn_type": "http", "host": "api.questionpro.com", "extra": {"survey_id": "{K}"}}}\n',
        klass="heldout",
    ),
    Case(
        "r4-arm-subscription-neg",
        "azuredeploy.json",
        '{"questionProApiKey": {"value": "[parameters(\'qpKey\')]"}, "subscriptionId": {"value": "{K}"}}\n',
        klass="heldout",
    ),
    Case(
        "r4-pulumi-azure-neg",
        "Pulumi.dev.yaml",
        "config:\n  questionpro:region: eu\n  azure-native:subscriptionId: {K}\n",
        klass="heldout",
    ),
    Case(
        "r4-hiera-pagerduty-neg",
        "hieradata/node.yaml",
        "profile::questionpro::enabled: true\nprofile::pagerduty::integration_key: '{K}'\n",
        klass="heldout",
    ),
    Case(
        "r4-rest-survey-path-neg",
        "surveys.http",
        "GET https://api.questionpro.com/a/api/v2/surveys/{K}\napi-key: {{qpKey}}\n",
        klass="heldout",
    ),
    Case(
        "r4-bicep-tenant-neg", "infra.bicep", "param questionProApiKey string\nvar tenantId = '{K}'\n", klass="heldout"
    ),
    Case(
        "r4-cdk-postmark-neg",
        "lib/mail-stack.ts",
        "// QuestionPro sync\nenvironment: {\n  POSTMARK_SERVER_TOKEN: '{K}',\n}\n",
        klass="heldout",
    ),
    Case("r4-procfile-webhook-neg", "Procfile", "web: QUESTIONPRO_WEBHOOK_ID={K} gunicorn app:app\n", klass="heldout"),
    Case(
        "r4-hasura-admin-neg",
        "metadata/remote_schemas.yaml",
        "- name: questionpro_responses\n  definition:\n    url: https://api.questionpro.com\n"
        "    headers:\n      - name: x-hasura-admin-secret\n        value: {K}\n",
        klass="heldout",
    ),
    Case("r4-laravel-pusher-neg", ".env.staging", "QUESTIONPRO_KEY=\nPUSHER_APP_KEY={K}\n", klass="heldout"),
]

# Round 5: harder shapes (the name in a sibling field, a placeholder default, after the
# value), written before running the detector on them.
ROUND5_POSITIVES = [
    Case(
        "r5-tf-gh-secret",
        "github.tf",
        'resource "github_actions_secret" "qp" {\n  repository      = "survey-sync"\n'
        '  secret_name     = "QUESTIONPRO_API_KEY"\n  plaintext_value = "{K}"\n}\n',
        ((4, None),),
        "heldout",
    ),
    Case(
        "r5-aws-sm-json",
        "secrets/create.json",
        '{"Name": "prod/questionpro/api-key", "SecretString": "{K}"}\n',
        ((1, None),),
        "heldout",
    ),
    Case(
        "r5-spring-value-default",
        "src/main/java/acme/QpConfig.java",
        '@Value("${questionpro.api-key:{K}}")\nprivate String apiKey;\n',
        ((1, None),),
        "heldout",
    ),
    Case(
        "r5-dotnet-user-secrets",
        "docs/setup.md",
        'dotnet user-secrets set "QuestionPro:ApiKey" "{K}"\n',
        ((1, None),),
        "heldout",
    ),
    Case(
        "r5-js-nullish",
        "src/qp.mjs",
        "const key = process.env.QUESTIONPRO_API_KEY ?? '{K}';\n",
        ((1, None),),
        "heldout",
    ),
    # found since YAML anchors open a block; the datacenter is not read from a bare ``dc:``
    # (only data-center settings and hosts name one): first labelled "eu", a miss reported
    Case("r5-yaml-anchor", "config/base.yml", "questionpro: &qp\n  key: {K}\n  dc: eu\n", ((2, None),), "heldout"),
    Case(
        "r5-heredoc",
        "provision.sh",
        "cat > /etc/sync/.env <<EOF\nQUESTIONPRO_API_KEY={K}\nEOF\n",
        ((2, None),),
        "heldout",
    ),
    Case(
        "r5-crontab",
        "deploy/crontab",
        "QUESTIONPRO_API_KEY={K}\n0 * * * * /usr/local/bin/sync-surveys\n",
        ((1, None),),
        "heldout",
    ),
    Case(
        "r5-helm-set",
        "deploy.sh",
        "helm upgrade --install sync ./chart --set questionpro.apiKey={K}\n",
        ((1, None),),
        "heldout",
    ),
    Case(
        "r5-toml-array-tables",
        "integrations.toml",
        '[[integrations]]\nname = "questionpro"\napi_key = "{K}"\n',
        ((3, None),),
        "heldout",
    ),
    Case(
        "r5-yaml-list-named",
        "providers.yml",
        "providers:\n  - name: questionpro\n    token: {K}\n",
        ((3, None),),
        "heldout",
    ),
    Case(
        "r5-perl-hash",
        "lib/Qp.pm",
        "my %questionpro = (\n    api_key => '{K}',\n    region  => 'com',\n);\n",
        ((2, None),),
        "heldout",
    ),
    Case(
        "r5-properties-colon",
        "config.properties",
        "questionpro.api.key: {K}\n",
        ((1, None),),
        "heldout",
    ),
    Case(
        "r5-log-prose",
        "logs/sync.log",
        "2024-05-01 INFO QuestionPro client configured with API key {K}\n",
        ((1, None),),
        "heldout",
    ),
    Case(
        "r5-ruby-hash-rocket",
        "config/initializers/qp.rb",
        'QUESTIONPRO = { "api_key" => "{K}", "env" => "com" }.freeze\n',
        ((1, None),),
        "heldout",
    ),
]

ROUND5_NEGATIVES = [
    Case(
        "r5-tf-gh-secret-other-neg",
        "github.tf",
        '# questionpro sync repo\nresource "github_actions_secret" "dd" {\n'
        '  secret_name     = "DATADOG_API_KEY"\n  plaintext_value = "{K}"\n}\n',
        klass="heldout",
    ),
    Case(
        "r5-toml-other-integration-neg",
        "integrations.toml",
        '[[integrations]]\nname = "questionpro"\nenabled = true\n\n[[integrations]]\nname = "mailchimp"\napi_key = "{K}"\n',
        klass="heldout",
    ),
    Case(
        "r5-yaml-list-other-neg",
        "providers.yml",
        "providers:\n  - name: questionpro\n    enabled: true\n  - name: mailchimp\n    token: {K}\n",
        klass="heldout",
    ),
    Case(
        "r5-aws-sm-other-neg",
        "secrets/create.json",
        '{"Name": "prod/questionpro/survey-id", "SecretString": "{K}"}\n',
        klass="heldout",
    ),
    Case(
        "r5-log-request-neg",
        "logs/sync.log",
        "2024-05-01 INFO QuestionPro request {K} returned 200\n",
        klass="heldout",
    ),
    Case(
        "r5-helm-set-id-neg",
        "deploy.sh",
        "helm upgrade --install sync ./chart --set questionpro.surveyId={K}\n",
        klass="heldout",
    ),
    Case(
        "r5-perl-hash-other-neg",
        "lib/Mail.pm",
        "# talks to questionpro too\nmy %sendgrid = (\n    api_key => '{K}',\n);\n",
        klass="heldout",
    ),
    Case(
        "r5-spring-value-id-neg",
        "src/main/java/acme/QpIds.java",
        '@Value("${questionpro.survey-id:{K}}")\nprivate String surveyId;\n',
        klass="heldout",
    ),
]

# Round 6: first score 9/10 found, 0/5 false (the miss: a declaration naming QuestionPro,
# ``enum QuestionProKeys {``, was not taken as the members' parent). YAML block scalars
# (``apiKey: >-`` or ``token: |`` with the key on the next line) joined later, once the
# detect-secrets plugin placed what its YAML transformer shows on the name's line.
ROUND6_POSITIVES = [
    Case(
        "r6-ini-dotted-section",
        "app.cfg",
        "[services.questionpro]\nendpoint = https://api.questionpro.com\nsecret = {K}\n",
        ((3, "com"),),
        "heldout",
    ),
    Case(
        "r6-go-map",
        "keys.go",
        'var keys = map[string]string{\n\t"questionpro": "{K}",\n\t"region": "eu",\n}\n',
        ((2, None),),
        "heldout",
    ),
    Case(
        "r6-python-kw-dict",
        "conf.py",
        "INTEGRATIONS = dict(questionpro=dict(api_key='{K}'))\n",
        ((1, None),),
        "heldout",
    ),
    Case(
        "r6-ts-enum",
        "src/keys.ts",
        "export enum QuestionProKeys {\n  Production = '{K}',\n}\n",
        ((2, None),),
        "heldout",
    ),
    Case("r6-java-map-put", "Keys.java", 'credentials.put("questionpro.apiKey", "{K}");\n', ((1, None),), "heldout"),
    Case("r6-csv-vertical", "secrets.csv", "name,value\nQUESTIONPRO_API_KEY,{K}\n", ((2, None),), "heldout"),
    Case(
        "r6-xml-attr",
        "web.config",
        '<appSettings>\n  <add key="QuestionProApiKey" value="{K}" />\n</appSettings>\n',
        ((2, None),),
        "heldout",
    ),
    Case("r6-envrc", ".envrc", "export QP_TOKEN='{K}'\n", ((1, None),), "heldout"),
    Case(
        "r6-tf-locals", "locals.tf", 'locals {\n  questionpro = {\n    key = "{K}"\n  }\n}\n', ((3, None),), "heldout"
    ),
    Case("r6-yaml-folded", "config/app.yml", "questionpro:\n  apiKey: >-\n    {K}\n", ((3, None),), "heldout"),
    Case(
        "r6-yaml-literal",
        "deploy/values.yaml",
        "integrations:\n  questionpro:\n    token: |\n      {K}\n    timeout: 30\n",
        ((4, None),),
        "heldout",
    ),
]

ROUND6_NEGATIVES = [
    Case(
        "r6-go-map-neg", "ids.go", 'var surveys = map[string]string{\n\t"questionpro_nps": "{K}",\n}\n', klass="heldout"
    ),
    Case(
        "r6-xml-attr-neg",
        "web.config",
        '<!-- questionpro -->\n<add key="SendGridApiKey" value="{K}" />\n',
        klass="heldout",
    ),
    Case("r6-csv-vertical-neg", "secrets.csv", "name,value\nQUESTIONPRO_SURVEY_ID,{K}\n", klass="heldout"),
    Case("r6-ts-enum-neg", "src/ids.ts", "export enum QuestionProSurveys {\n  Nps = '{K}',\n}\n", klass="heldout"),
    Case("r6-yaml-folded-neg", "settings.yml", "# questionpro\nsendgrid:\n  apiKey: >-\n    {K}\n", klass="heldout"),
    Case("r6-yaml-literal-neg", "ids.yml", "questionpro:\n  surveyId: |-\n    {K}\n", klass="heldout"),
    Case(
        "r6-tf-locals-neg",
        "locals.tf",
        '# questionpro\nlocals {\n  datadog = {\n    key = "{K}"\n  }\n}\n',
        klass="heldout",
    ),
]
ROUND5_POSITIVES += ROUND6_POSITIVES
ROUND5_NEGATIVES += ROUND6_NEGATIVES

# Round 7: all judged right at first try (10/10 found, 0/5 false).
ROUND7_POSITIVES = [
    Case(
        "r7-cs-appsettings-nested",
        "appsettings.Production.json",
        '{\n  "Integrations": {\n    "QuestionPro": {\n      "BaseUrl": "https://api.questionpro.ca",\n'
        '      "Secret": "{K}"\n    }\n  }\n}\n',
        ((5, "ca"),),
        "heldout",
    ),
    Case("r7-clojure-edn", "config.edn", '{:questionpro {:api-key "{K}"}}\n', ((1, None),), "heldout"),
    Case(
        "r7-groovy-gradle",
        "build.gradle",
        'buildConfigField "String", "QUESTIONPRO_KEY", "\\"{K}\\""\n',
        ((1, None),),
        "heldout",
    ),
    Case(
        "r7-sql-update",
        "seed.sql",
        "UPDATE integrations SET api_key = '{K}' WHERE provider = 'questionpro';\n",
        ((1, None),),
        "heldout",
    ),
    Case("r7-ps-hashtable", "profile.ps1", "$QuestionPro = @{\n    ApiKey = '{K}'\n}\n", ((2, None),), "heldout"),
    Case("r7-vb", "Module1.vb", 'Const QuestionProApiKey As String = "{K}"\n', ((1, None),), "heldout"),
    Case(
        "r7-jsonc-comment",
        ".vscode/settings.json",
        '{\n  // QuestionPro\n  "rest-client.environmentVariables": {"prod": {"qpKey": "{K}"}}\n}\n',
        ((3, None),),
        "heldout",
    ),
    Case("r7-objc", "Keys.m", 'NSString *const kQuestionProAPIKey = @"{K}";\n', ((1, None),), "heldout"),
    Case("r7-haskell", "Config.hs", 'questionProApiKey :: Text\nquestionProApiKey = "{K}"\n', ((2, None),), "heldout"),
    Case(
        "r7-markdown-table-row",
        "docs/keys.md",
        "| Service | Key |\n|---|---|\n| QuestionPro | {K} |\n",
        ((3, None),),
        "heldout",
    ),
]
ROUND7_NEGATIVES = [
    Case(
        "r7-sql-update-neg",
        "seed.sql",
        "-- questionpro\nUPDATE surveys SET external_id = '{K}' WHERE id = 4;\n",
        klass="heldout",
    ),
    Case(
        "r7-cs-appsettings-neg",
        "appsettings.json",
        '{\n  "QuestionPro": {"Enabled": true},\n  "Twilio": {\n    "AuthToken": "{K}"\n  }\n}\n',
        klass="heldout",
    ),
    Case(
        "r7-markdown-table-neg",
        "docs/keys.md",
        "| Service | Key |\n|---|---|\n| QuestionPro | see vault |\n| Twilio | {K} |\n",
        klass="heldout",
    ),
    Case("r7-edn-neg", "config.edn", '{:questionpro {:survey-id "{K}"}}\n', klass="heldout"),
    Case("r7-ps-neg", "profile.ps1", "# questionpro\n$Azure = @{\n    TenantId = '{K}'\n}\n", klass="heldout"),
]
ROUND5_POSITIVES += ROUND7_POSITIVES
ROUND5_NEGATIVES += ROUND7_NEGATIVES

# A map keyed by datacenter under a QuestionPro name reports that datacenter; a datacenter
# word outside the QuestionPro level, or a region that is not exactly a datacenter's name,
# reports none (the key is still a key: these rows check the datacenter, not key-ness).
DATACENTER_MAP_ROWS = [
    Case("dc-py-dict", "keys.py", 'QP_KEYS = {"ca": "{K}"}\n', ((1, "ca"),), "heldout"),
    Case("dc-yaml-parents", "values.yaml", "questionpro:\n  eu:\n    token: {K}\n", ((3, "eu"),), "heldout"),
    Case("dc-yaml-keys-map", "qp.yml", "questionpro:\n  api_keys:\n    AU: {K}\n", ((3, "au"),), "heldout"),
    Case("dc-json-nested", "keys.json", '{"questionpro": {"keys": {"sg": "{K}"}}}\n', ((1, "sg"),), "heldout"),
    Case(
        "dc-yaml-alias-over-setting",
        "svc.yml",
        "questionpro:\n  datacenter: eu\n  keys:\n    us: {K}\n",
        ((4, "com"),),
        "heldout",
    ),
    Case(
        "dc-hcl-map",
        "vars.tf",
        'variable "questionpro_api_keys" {\n  default = {\n    ksa = "{K}"\n  }\n}\n',
        ((3, "ksa"),),
        "heldout",
    ),
    Case("dc-yaml-outside-neg", "envs.yml", "eu:\n  questionpro:\n    token: {K}\n", ((3, None),), "heldout"),
    Case(
        "dc-yaml-aws-region-neg",
        "deploy.yml",
        "questionpro:\n  region: eu-west-1\n  token: {K}\n",
        ((3, None),),
        "heldout",
    ),
    Case("dc-py-env-neg", "keys.py", 'QP_KEYS = {"prod": "{K}"}\n', ((1, None),), "heldout"),
    Case("dc-yaml-qualifier-neg", "qp.yml", "questionpro:\n  ca_token: {K}\n", ((2, None),), "heldout"),
    Case(
        "dc-yaml-sibling-block-neg",
        "svc.yml",
        "stripe:\n  eu:\n    retries: 1\nquestionpro:\n  token: {K}\n",
        ((5, None),),
        "heldout",
    ),
]
# A value named only by a datacenter, inside a QuestionPro structure, is a key (QuestionPro's
# keys are per datacenter); one level further from that shape, it is not.
DATACENTER_NAMED_ROWS = [
    Case("dc-yaml-flow-map", "config.yml", "questionpro: {eu: {K}}\n", ((1, "eu"),), "heldout"),
    Case("dc-json-bare", "appsettings.json", '{"QuestionPro": {"CA": "{K}"}}\n', ((1, "ca"),), "heldout"),
    Case("dc-yaml-bare", "qp.yaml", "services:\n  questionpro:\n    ae: {K}\n", ((3, "ae"),), "heldout"),
]
DATACENTER_NAMED_NEGATIVES = [
    Case("dc-ids-map-neg", "qp.yml", "questionpro:\n  survey_ids:\n    eu: {K}\n", klass="heldout"),
    Case("dc-outer-neg", "envs.yml", "eu:\n  questionpro: {K}\n", klass="heldout"),
    Case("dc-other-owner-neg", "obs.yml", "# questionpro\ndatadog:\n  eu: {K}\n", klass="heldout"),
    Case("dc-deeper-name-neg", "qp.yml", "questionpro:\n  eu:\n    webhook: {K}\n", klass="heldout"),
    Case("dc-cloud-region-neg", "qp.yml", "questionpro:\n  eu-west-1: {K}\n", klass="heldout"),
    Case("dc-no-owner-neg", "regions.yml", "# questionpro\neu: {K}\n", klass="heldout"),
]
ROUND5_POSITIVES += DATACENTER_MAP_ROWS + DATACENTER_NAMED_ROWS
ROUND5_NEGATIVES += DATACENTER_NAMED_NEGATIVES
