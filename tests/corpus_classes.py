"""Corpus rows for issue 9's failure classes, several formats each, with hard negatives.

``klass`` is the class number of the issue: 1 enclosing structure, 2 columns, 3 positional
arguments, 4 qualifiers after the key word, 5 only the path, 6 prose labels, 7 flags,
8 base64 in a Kubernetes Secret, 9 another service's key in a QuestionPro file,
10 ``questionpro`` inside another word, 14 allowlist pragmas. Rows ending in ``-neg`` are
the hard negatives of their class (ids, references, other owners beside QuestionPro).

Import these rows through ``tests.corpus`` (which folds them into POSITIVES/NEGATIVES).
"""

from __future__ import annotations

from tests.corpus import Case

_PAD = "x" * 600

CLASS_POSITIVES = [
    # 1: the name is in an enclosing structure
    Case(
        "c1-spring-yaml",
        "src/main/resources/application.yml",
        "spring:\n  application:\n    name: survey-sync\nquestionpro:\n  base-url: https://api.questionpro.eu\n"
        "  credentials:\n    token: {K}\n",
        ((7, "eu"),),
        "1",
    ),
    Case(
        "c1-appsettings",
        "appsettings.Production.json",
        '{\n  "Logging": { "LogLevel": { "Default": "Information" } },\n  "QuestionPro": {\n'
        '    "Secret": "{K}",\n    "SurveyId": 4412\n  }\n}\n',
        ((4, None),),
        "1",
    ),
    Case(
        "c1-ini-section",
        "conf/integrations.ini",
        "[database]\nhost = localhost\nport = 5432\n\n[questionpro]\nkey = {K}\ndatacenter = ca\n",
        ((6, "ca"),),
        "1",
    ),
    Case(
        "c1-toml-section",
        "settings.toml",
        '[services.questionpro]\nendpoint = "https://api.questionpro.com"\ntoken = "{K}"\n',
        ((3, "com"),),
        "1",
    ),
    Case(
        "c1-hcl-variable",
        "infra/variables.tf",
        'variable "qp_api_key" {\n  type      = string\n  sensitive = true\n  default   = "{K}"\n}\n',
        ((4, None),),
        "1",
    ),
    Case("c1-region-map", "keys.py", 'QP_KEYS = {"eu": "{K}"}\n', ((1, "eu"),), "1"),
    Case(
        "c1-region-map-multiline",
        "lib/keys.rb",
        "QUESTIONPRO_KEYS = {\n  production: {\n    au: '{K}',\n  },\n}.freeze\n",
        ((3, "au"),),
        "1",
    ),
    Case(
        "c1-js-nested",
        "config/default.js",
        "module.exports = {\n  port: 8080,\n  questionpro: {\n    auth: { secret: '{K}' },\n  },\n};\n",
        ((4, None),),
        "1",
    ),
    Case(
        "c1-android-manifest",
        "app/src/main/AndroidManifest.xml",
        '<application android:label="Survey">\n    <meta-data\n        android:name="com.acme.questionpro.API_KEY"\n'
        '        android:value="{K}" />\n</application>\n',
        ((4, None),),
        "1",
    ),
    Case(
        "c1-helm-values",
        "charts/survey/values.yaml",
        'replicaCount: 2\nquestionpro:\n  enabled: true\n  auth:\n    apiKey: "{K}"\n',
        ((5, None),),
        "1",
    ),
    Case(
        "c1-ansible-vars",
        "group_vars/all.yml",
        'questionpro_api:\n  datacenter: au\n  key: "{K}"\n',
        ((3, "au"),),
        "1",
    ),
    Case(
        "c1-xml-element",
        "config/connectors.xml",
        "<connectors>\n  <questionpro>\n    <apiKey>{K}</apiKey>\n  </questionpro>\n</connectors>\n",
        ((3, None),),
        "1",
    ),
    Case(
        "c1-json-name-field-above",
        "actions-secrets.json",
        '[\n  {\n    "name": "QUESTIONPRO_API_KEY",\n    "visibility": "all",\n    "value": "{K}"\n  }\n]\n',
        ((5, None),),
        "1",
    ),
    Case(
        "c1-yaml-name-field-above",
        "ci/env.yaml",
        "env:\n  - name: QP_TOKEN\n    secure: true\n    value: {K}\n",
        ((4, None),),
        "1",
    ),
    # 2: the name is a column
    Case(
        "c2-csv",
        "exports/integrations.csv",
        "name,environment,questionpro_api_key,created\nacme,prod,{K},2024-01-01\n",
        ((2, None),),
        "2",
    ),
    Case(
        "c2-csv-quoted",
        "accounts.csv",
        '"Account","QuestionPro API Key","Owner"\n"Acme","{K}","ops@acme.test"\n',
        ((2, None),),
        "2",
    ),
    Case(
        "c2-tsv",
        "vendors.tsv",
        "vendor\tapi_key\tnotes\nQuestionPro\t{K}\tmain account\n",
        ((2, None),),
        "2",
    ),
    Case(
        "c2-sql-insert",
        "db/seeds.sql",
        "INSERT INTO questionpro_credentials (id, account, api_key) VALUES (1, 'acme', '{K}');\n",
        ((1, None),),
        "2",
    ),
    Case(
        "c2-sql-multirow",
        "db/migrate/002_seed.sql",
        "-- seed data\nINSERT INTO integrations (id, provider, api_key, created_at) VALUES\n"
        "  (1, 'questionpro', '{K}', NOW());\n",
        ((3, None),),
        "2",
    ),
    Case(
        "c2-markdown-table",
        "docs/keys.md",
        "| Service | Environment | API key |\n|---|---|---|\n| QuestionPro | production | {K} |\n",
        ((3, None),),
        "2",
    ),
    # 3: positional arguments to a QuestionPro client or SDK
    Case(
        "c3-java-builder",
        "src/main/java/Sync.java",
        'QuestionProCX sdk = new QuestionProCX.Builder(DataCenter.EU, "{K}").build();\n',
        ((1, "eu"),),
        "3",
    ),
    Case(
        "c3-python-multiline",
        "sync/client.py",
        'client = QuestionProClient(\n    "{K}",\n    timeout=30,\n)\n',
        ((2, None),),
        "3",
    ),
    Case("c3-go", "cmd/sync/main.go", 'c := qp.NewClient("{K}", qp.WithTimeout(30))\n', ((1, None),), "3"),
    Case(
        "c3-ts-sdk",
        "src/survey.ts",
        'import { SurveySdk, Region } from "@questionpro/cx-sdk";\n\nconst sdk = SurveySdk.Builder(Region.CA, "{K}");\n',
        ((3, None),),
        "3",
    ),
    Case("c3-ruby", "lib/sync.rb", 'client = QuestionPro::Client.new("{K}")\n', ((1, None),), "3"),
    Case(
        "c3-php",
        "src/Sync.php",
        "<?php\nuse QuestionPro\\Api;\n$client = new Api\\Client('{K}');\n",
        ((3, None),),
        "3",
    ),
    # 4: qualifiers after the key word
    Case("c4-dotenv-prod", ".env.production", "QUESTIONPRO_API_KEY_PROD={K}\n", ((1, None),), "4"),
    Case("c4-yaml-region", "deploy/env.yml", 'QP_KEY_EU: "{K}"\n', ((1, None),), "4"),
    Case("c4-js-staging", "src/env.js", "export const questionproKeyStaging = '{K}';\n", ((1, None),), "4"),
    Case("c4-python-version", "settings/base.py", 'QUESTIONPRO_TOKEN_V2 = "{K}"\n', ((1, None),), "4"),
    Case("c4-properties", "application-prod.properties", "questionpro.apikey.primary={K}\n", ((1, None),), "4"),
    Case("c4-kotlin", "Config.kt", 'val qpApiKeyLive = "{K}"\n', ((1, None),), "4"),
    # 5: only the path says QuestionPro
    Case("c5-env-file", "questionpro.env", "API_KEY={K}\nLOG_LEVEL=debug\n", ((1, None),), "5"),
    Case("c5-secret-dir", "secrets/questionpro/key", "{K}\n", ((1, None),), "5"),
    Case("c5-key-file", "config/questionpro_api_key.txt", "{K}", ((1, None),), "5"),
    Case("c5-qp-token-file", ".secrets/qp_token", "{K}\n", ((1, None),), "5"),
    Case("c5-env-in-dir", "deploy/questionpro/.env.production", "apiKey={K}\n", ((1, None),), "5"),
    Case(
        "c5-k8s-named-file",
        "k8s/questionpro-secret.yaml",
        'apiVersion: v1\nkind: Secret\nstringData:\n  API_KEY: "{K}"\n',
        ((4, None),),
        "5",
    ),
    Case("c5-named-yaml", "config/questionpro.yml", "auth:\n  token: {K}\n", ((2, None),), "5"),
    # 6: prose labels
    Case(
        "c6-markdown-note", "NOTES.md", "## Credentials\n\nQuestionPro production API key: `{K}`\n", ((3, None),), "6"
    ),
    Case(
        "c6-sentence",
        "ONBOARDING.txt",
        "The QuestionPro key for the EU account is {K} (rotate it yearly).\n",
        ((1, None),),
        "6",
    ),
    Case("c6-bullet", "wiki/handover.md", "- questionpro api token -> {K}\n", ((1, None),), "6"),
    Case("c6-parenthesis", "chat-export.txt", "[10:02] ana: QuestionPro creds (staging): {K}\n", ((1, None),), "6"),
    # 7: flags between the name and the value
    Case(
        "c7-gh-secret",
        "scripts/bootstrap.sh",
        'gh secret set QUESTIONPRO_API_KEY --body "{K}" --repo acme/app\n',
        ((1, None),),
        "7",
    ),
    Case("c7-heroku", "Procfile.notes", "heroku config:set QP_API_KEY={K} --app survey-sync\n", ((1, None),), "7"),
    Case(
        "c7-aws-ssm",
        ".bash_history",
        "ls\naws ssm put-parameter --name /questionpro/prod/api-key --value {K} --type SecureString\n",
        ((2, None),),
        "7",
    ),
    Case(
        "c7-kubectl",
        "ops/rotate.sh",
        "kubectl create secret generic qp --from-literal=QUESTIONPRO_TOKEN={K}\n",
        ((1, None),),
        "7",
    ),
    Case(
        "c7-az-keyvault",
        "ops/keyvault.ps1",
        "az keyvault secret set --vault-name kv-prod --name questionpro-api-key --value {K}\n",
        ((1, None),),
        "7",
    ),
    # 8: base64 in a Kubernetes Secret's data
    Case(
        "c8-k8s-data",
        "k8s/secret.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: survey-sync\ntype: Opaque\ndata:\n"
        "  QUESTIONPRO_API_KEY: {B64}\n",
        ((7, None),),
        "8",
    ),
    Case(
        "c8-k8s-json",
        "manifests/secret.json",
        '{\n  "kind": "Secret",\n  "apiVersion": "v1",\n  "data": {\n    "QP_API_KEY": "{B64}"\n  }\n}\n',
        ((5, None),),
        "8",
    ),
    Case(
        "c8-k8s-generic-name",
        "deploy/creds.yaml",
        "kind: Secret\nmetadata:\n  name: questionpro-creds\ndata:\n  api-key: {B64}\n",
        ((5, None),),
        "8",
    ),
    # 14: a pragma covers exactly its own line or the next one
    Case(
        "c14-nextline-skips-one",
        "conf.py",
        "# pragma: allowlist nextline secret\nDEBUG = True\nQUESTIONPRO_API_KEY = '{K}'\n",
        ((3, None),),
        "14",
    ),
    Case(
        "c14-far-into-line-4",
        "conf2.py",
        f"# pragma: allowlist nextline secret\nA = 1\nB = 2\nC = '{_PAD}'; QUESTIONPRO_API_KEY = '{{K}}'\n",
        ((4, None),),
        "14",
    ),
    Case(
        "c14-inline-covers-own-line-only",
        "conf3.env",
        "LOG=1  # pragma: allowlist secret\nQUESTIONPRO_API_KEY={K}\n",
        ((2, None),),
        "14",
    ),
    # 1: keys per region under a QuestionPro key name (a region word names no owner)
    Case("c1-region-map-yaml", "application.yml", "questionpro:\n  apiKeys:\n    europe: {K}\n", ((3, "eu"),), "1"),
    Case("c1-region-map-json", "qp.json", '{"questionpro": {"apiKeys": {"canada": "{K}"}}}\n', ((1, "ca"),), "1"),
    Case(
        "c1-region-map-toml",
        "settings.toml",
        '[questionpro.api_keys]\nasia_pacific = "{K}"\ntimeout = 30\n',
        ((2, None),),
        "1",
    ),
    Case("c1-region-dict-py", "keys.py", 'QUESTIONPRO_KEYS = {"australia": "{K}"}\n', ((1, "au"),), "1"),
    Case(
        "c1-qualifier-between-yaml",
        "values.yaml",
        "questionpro:\n  production:\n    europe:\n      api_key: {K}\n",
        ((4, "eu"),),
        "1",
    ),
    # 1: a sibling field describing the parameter (SSM's type) says nothing of the value
    Case(
        "c1-tf-ssm-type-sibling",
        "infra/params.tf",
        'resource "aws_ssm_parameter" "questionpro_api_key" {\n  name  = "/prod/questionpro/api-key"\n'
        '  type  = "SecureString"\n  value = "{K}"\n}\n',
        ((4, None),),
        "1",
    ),
    Case(
        "c1-cfn-ssm-type-sibling",
        "template.yml",
        "Resources:\n  QuestionProKey:\n    Type: AWS::SSM::Parameter\n    Properties:\n"
        "      Name: /prod/questionpro/api-key\n      Type: String\n      Value: {K}\n",
        ((7, None),),
        "1",
    ),
    # 7: a continued command: --value under --type, named by --name
    Case(
        "c7-ssm-put-continued",
        "scripts/params.sh",
        "aws ssm put-parameter \\\n  --name /prod/questionpro/api-key \\\n  --type SecureString \\\n"
        "  --value {K} \\\n  --overwrite\n",
        ((4, None),),
        "7",
    ),
    # 4: a primary key is also the first of two credentials
    Case("c4-primary-key", "qp.env", "QUESTIONPRO_PRIMARY_KEY={K}\n", ((1, None),), "4"),
    # 3: the name comes after the value in the call (Swift's URLRequest)
    Case(
        "c3-swift-header-after-value",
        "Sources/Feedback/SurveyService.swift",
        'var req = URLRequest(url: URL(string: "https://api.questionpro.com/a/api/v2/users/me")!)\n'
        'req.setValue("{K}", forHTTPHeaderField: "api-key")\n',
        ((2, "com"),),
        "3",
    ),
    # 1: a bare key word variable the file sends as its api-key header
    Case(
        "c1-var-sent-as-header",
        "nps.py",
        'BASE = "https://api.questionpro.com/a/api/v2"\nKEY = "{K}"\n'
        'r = requests.get(f"{BASE}/surveys", headers={"api-key": KEY})\n',
        ((2, "com"),),
        "1",
    ),
    Case(
        "c1-var-sent-as-param-ipynb",
        "notebooks/nps.ipynb",
        '{"cells": [{"source": [\n  "token = \\"{K}\\"\\n",\n'
        '  "qp.get(\\"https://api.questionpro.eu/a/api/v2/surveys\\", api_key=token)\\n"\n]}]}\n',
        ((2, "eu"),),
        "1",
    ),
    # 7: a command continued over lines: its other flags and their arguments say nothing
    Case(
        "c7-gh-secret-continued",
        "scripts/bootstrap.sh",
        "gh secret set QUESTIONPRO_API_KEY \\\n  --repo acme/survey-sync \\\n  --env production \\\n  --body {K}\n",
        ((4, None),),
        "7",
    ),
    Case(
        "c7-secretsmanager-continued",
        "deploy.sh",
        "aws secretsmanager put-secret-value \\\n  --secret-id prod/questionpro/api-key \\\n  --secret-string {K}\n",
        ((3, None),),
        "7",
    ),
    Case(
        "c7-ssm-one-line-type",
        "put.sh",
        "aws ssm put-parameter --name /prod/questionpro/api-key --type SecureString --value {K}\n",
        ((1, None),),
        "7",
    ),
    # 6: a comment beside the value, or just above it, names QuestionPro
    Case("c6-trailing-comment", "settings.py", 'QP = "{K}"  # questionpro api key (prod)\n', ((1, None),), "6"),
    Case("c6-comment-above", ".env", "# QuestionPro API key (EU account)\nKEY={K}\n", ((2, None),), "6"),
    Case(
        "c6-yaml-trailing-comment",
        "sync.yml",
        "surveys:\n  provider_key: {K}  # questionpro, us datacenter\n  refresh: 15m\n",
        ((2, None),),
        "6",
    ),
    # 9: "machine" in a comment names no host (a .netrc line does)
    Case(
        "c9-machine-word-not-a-host",
        "ml.py",
        '# QuestionPro sync\napi_key = "{K}"  # owned by the machine learning team\n',
        ((2, None),),
        "9",
    ),
    # 1: an element's presentational or type attributes are not names
    Case(
        "c1-html-cells-with-class",
        "docs/integrations.html",
        '<tr><td class="c">QuestionPro</td><td class="c">API key</td><td class="c">{K}</td></tr>\n',
        ((1, None),),
        "1",
    ),
    Case(
        "c1-salesforce-typed-value",
        "force-app/main/default/customMetadata/QuestionPro_Settings.Default.md-meta.xml",
        '<values>\n    <field>Api_Key__c</field>\n    <value xsi:type="xsd:string">{K}</value>\n</values>\n',
        ((3, None),),
        "1",
    ),
    Case(
        "c1-android-string-still-named",
        "app/src/main/res/values/keys.xml",
        '<resources>\n    <string name="questionpro_api_key" translatable="false">{K}</string>\n</resources>\n',
        ((2, None),),
        "1",
    ),
    # 1: a connector's parts by what they do are not vendors
    Case(
        "c1-airbyte-authenticator",
        "manifest.yaml",
        "definitions:\n  requester:\n    url_base: https://api.questionpro.com/a/api/v2\n"
        "    authenticator:\n      type: ApiKeyAuthenticator\n      header: api-key\n      api_token: {K}\n",
        ((7, "com"),),
        "1",
    ),
]

CLASS_NEGATIVES = [
    Case("c1-survey-id-neg", "application.yml", "questionpro:\n  survey:\n    id: {K}\n", klass="1"),
    Case("c1-json-survey-neg", "appsettings.json", '{"QuestionPro": {"SurveyId": "{K}"}}\n', klass="1"),
    Case(
        "c1-name-field-other-item-neg",
        "env.yaml",
        "# questionpro\nenv:\n  - name: REQUEST_ID\n    secure: true\n    value: {K}\n",
        klass="1",
    ),
    Case(
        "c1-name-field-other-object-neg",
        "vars.json",
        '[\n  {"name": "QUESTIONPRO_API_KEY", "value": ""},\n  {\n    "kind": "trace",\n    "value": "{K}"\n  }\n]\n',
        klass="1",
    ),
    Case("c1-ini-uuid-neg", "qp.ini", "[questionpro]\nworkspace_uuid = {K}\n", klass="1"),
    Case("c1-hcl-id-neg", "main.tf", 'variable "qp_survey_id" {\n  default = "{K}"\n}\n', klass="1"),
    Case(
        "c1-xml-request-neg",
        "log.xml",
        "<questionpro>\n  <requestID>{K}</requestID>\n</questionpro>\n",
        klass="1",
    ),
    Case("c2-csv-ids-neg", "responses.csv", "respondent_id,survey,score\n{K},QuestionPro NPS,9\n", klass="2"),
    Case(
        "c2-sql-id-neg",
        "seed.sql",
        "-- questionpro responses\nINSERT INTO responses (id, survey, answer) VALUES ('{K}', 'nps', 'yes');\n",
        klass="2",
    ),
    Case(
        "c2-sql-other-column-neg",
        "surveys.sql",
        "-- questionpro\nINSERT INTO surveys (api_key, survey_uuid) VALUES (NULL, '{K}');\n",
        klass="2",
    ),
    Case(
        "c2-markdown-request-neg",
        "runbook.md",
        "QuestionPro calls:\n\n| Call | Request ID |\n|---|---|\n| regenerate | {K} |\n",
        klass="2",
    ),
    Case("c3-get-survey-neg", "sync.py", 'survey = QuestionProClient.get_survey("{K}")\n', klass="3"),
    Case("c3-guid-neg", "Ids.cs", '// QuestionPro connector\nvar ns = new Guid("{K}");\n', klass="3"),
    Case("c3-print-neg", "debug.py", 'import questionpro\nprint("request", "{K}")\nlogger.info("{U}")\n', klass="3"),
    Case("c4-key-name-neg", "vars.yml", "QP_KEY_NAME: {K}\n", klass="4"),
    Case("c4-key-version-neg", "cfg.js", "const questionproKeyVersion = '{K}';\n", klass="4"),
    Case("c5-survey-id-in-env-neg", "questionpro.env", "SURVEY_ID={K}\n", klass="5"),
    Case("c5-request-in-dir-neg", "questionpro/fixtures/response.json", '{"requestID": "{K}"}\n', klass="5"),
    Case("c5-lone-uuid-neg", "data/seed", "{K}\n", klass="5"),
    Case("c5-token-in-dir-neg", "questionpro/fixtures/session.json", '{"token": "{K}"}\n', klass="5"),
    Case("c6-survey-id-prose-neg", "notes.md", "QuestionPro survey ID: `{K}`\n", klass="6"),
    Case("c6-request-prose-neg", "incident.md", "The requestID QuestionPro returned was {K}.\n", klass="6"),
    Case("c7-survey-flag-neg", "deploy.sh", "heroku config:set QUESTIONPRO_SURVEY_ID={K}\n", klass="7"),
    Case(
        "c7-ssm-request-neg",
        "ops.sh",
        "aws ssm put-parameter --name /questionpro/request-id --value {K}\n",
        klass="7",
    ),
    Case(
        "c8-k8s-id-neg",
        "secret-ids.yaml",
        "kind: Secret\nmetadata:\n  name: questionpro\ndata:\n  REQUEST_ID: {B64}\n",
        klass="8",
    ),
    Case("c8-configmap-neg", "cm.yaml", "kind: ConfigMap\ndata:\n  QUESTIONPRO_SURVEY: {B64}\n", klass="8"),
    # 9: another service's key in a file that also talks to QuestionPro
    Case("c9-heroku-neg", ".env", "QUESTIONPRO_DATACENTER=eu\nHEROKU_API_KEY={K}\n", klass="9"),
    Case(
        "c9-hubspot-neg",
        "sync_hubspot.py",
        '# QuestionPro -> HubSpot sync\nr = requests.get(f"https://api.hubapi.com/contacts/v1/lists?hapikey={K}")\n',
        klass="9",
    ),
    Case(
        "c9-opsgenie-parent-neg",
        "alerts.yml",
        "questionpro:\n  api_url: https://api.questionpro.com\nopsgenie:\n  api_key: {K}\n",
        klass="9",
    ),
    Case(
        "c9-pendo-neg",
        "analytics.js",
        "// QuestionPro survey widget\npendo.initialize({ apiKey: '{K}' });\n",
        klass="9",
    ),
    Case("c9-snyk-neg", "ci.env", "QUESTIONPRO_API_URL=https://api.questionpro.com\nSNYK_TOKEN={K}\n", klass="9"),
    Case(
        "c9-launchdarkly-neg",
        "flags.yml",
        "# questionpro feature flags\nlaunchdarkly:\n  sdk_key: {K}\n",
        klass="9",
    ),
    Case("c9-onesignal-neg", "push.py", 'import questionpro\n\nONESIGNAL_REST_API_KEY = "{K}"\n', klass="9"),
    Case(
        "c9-postmark-neg",
        "services.json",
        '{"questionpro": {"survey": 12}, "postmark": {"serverToken": "{K}"}}\n',
        klass="9",
    ),
    Case(
        "c9-unseen-vendor-neg",
        "vendors.env",
        "# QuestionPro sync settings\nACMEPAY_API_KEY={K}\n",
        klass="9",
    ),
    Case(
        "c9-webconfig-neg",
        "Web.config",
        '<appSettings>\n  <add key="QuestionPro:Url" value="https://api.questionpro.com" />\n'
        '  <add key="Mailgun:ApiKey" value="{K}" />\n</appSettings>\n',
        klass="9",
    ),
    Case(
        "c9-nested-vendor-neg",
        "integrations.yaml",
        "integrations:\n  questionpro:\n    enabled: true\n  zendesk:\n    token: {K}\n",
        klass="9",
    ),
    # 10: "questionpro" inside another word is not a mention
    Case("c10-properties-neg", "form.js", 'questionProperties.apiKey = "{K}";\n', klass="10"),
    Case(
        "c10-profile-neg",
        "Security.java",
        '// SecurityQuestionProfile handling\nString apiKey = "{K}";\n',
        klass="10",
    ),
    Case("c10-processor-neg", "proc.env", "QUESTIONPROCESSOR_API_KEY={K}\n", klass="10"),
    Case("c10-profiles-table-neg", "db.py", '# see the questionprofiles table\napi_key = "{K}"\n', klass="10"),
    # 14: pragmas still hide what they cover
    Case(
        "c14-inline-far-neg",
        "far.py",
        f"QP_API_KEY = '{{K}}'  # {_PAD} pragma: allowlist secret\n",
        klass="14",
    ),
    Case(
        "c14-nextline-long-neg",
        "long.py",
        f"# {_PAD} pragma: allowlist nextline secret\nQUESTIONPRO_API_KEY = '{{K}}'\n",
        klass="14",
    ),
    # 9: another service's key with a region or stage between it and the service's name
    Case(
        "c9-vendor-region-yaml-neg",
        "datadog.yml",
        "# forwards QuestionPro survey events\ndatadog:\n  eu:\n    api_key: {K}\n",
        klass="9",
    ),
    Case(
        "c9-vendor-stage-json-neg",
        "integrations.json",
        '{"questionpro": {"enabled": true}, "stripe": {"production": {"apiKey": "{K}"}}}\n',
        klass="9",
    ),
    Case(
        "c9-vendor-region-toml-neg",
        "config.toml",
        '# questionpro sync\n[sendgrid.europe]\napi_key = "{K}"\n',
        klass="9",
    ),
    # 9: a region word beside another word names that service (Canada Post, ANZ)
    Case("c9-region-brand-env-neg", "sync.env", "# QuestionPro sync\nCANADA_POST_API_KEY={K}\n", klass="9"),
    Case("c9-brand-map-yaml-neg", "vendors.yml", "# QuestionPro sync\nanz:\n  api_key: {K}\n", klass="9"),
    Case(
        "c9-region-brand-yaml-neg",
        "shipping.yml",
        "# QuestionPro sync\ncanada_post:\n  api_key: {K}\n",
        klass="9",
    ),
    # 9: a stage between a service's name and its key leaves the key the service's, as
    # without the stage (``acme:`` → ``api_key:`` is acme's)
    Case(
        "c9-vendor-stage-yaml-neg",
        "apps.yml",
        "# QuestionPro survey sync\nacme:\n  production:\n    api_key: {K}\n",
        klass="9",
    ),
    # 5: a lookup key of data in a file named for QuestionPro is no credential
    Case(
        "c5-table-rowkey-neg",
        "seed/questionpro_surveys.json",
        '[\n  {"PartitionKey": "questionpro", "RowKey": "{K}", "SurveyId": 991122}\n]\n',
        klass="5",
    ),
    Case("c5-cache-key-neg", "config/questionpro.yml", "cache:\n  cache_key: {K}\n", klass="5"),
    # 3: an id named after the value, and a key word variable sent as something else
    Case(
        "c3-swift-request-id-after-value-neg",
        "Api.swift",
        '// QuestionPro\nreq.setValue("{K}", forHTTPHeaderField: "X-Request-Id")\n',
        klass="3",
    ),
    Case(
        "c1-var-sent-as-other-header-neg",
        "trace.py",
        'BASE = "https://api.questionpro.com/a/api/v2"\nKEY = "{K}"\n'
        'r = requests.get(BASE, headers={"X-Correlation-Id": KEY})\n',
        klass="1",
    ),
    # 9: a request that names only another host sends that host's api-key
    Case(
        "c9-other-host-call-neg",
        "forward.py",
        'qp = requests.get("https://api.questionpro.com/a/api/v2/surveys",\n'
        '                  headers={"api-key": os.environ["QUESTIONPRO_API_KEY"]})\n'
        'requests.post("https://api.pipecrm.io/v1/contacts",\n'
        '              headers={"api-key": "{K}"}, json=qp.json())\n',
        klass="9",
    ),
    Case(
        "c9-other-host-curl-neg",
        "ship.sh",
        "# after the QuestionPro export\ncurl -s https://ingest.acme-warehouse.io/v1/rows \\\n"
        '  -H "x-api-key: {K}" -d @responses.json\n',
        klass="9",
    ),
    Case(
        "c9-netrc-other-host-neg",
        "home/deploy/.netrc",
        "# questionpro key lives in vault, not here\nmachine api.mailgun.net login api password {K}\n",
        klass="9",
    ),
    # 6: a comment names QuestionPro beside a session's token: not an API key
    Case("c6-session-token-neg", "app.js", 'const csrfToken = "{K}"; // questionpro survey form\n', klass="6"),
    # 1: a typed element holding an id
    Case(
        "c1-typed-value-id-neg",
        "QuestionPro_Settings.md-meta.xml",
        '<values>\n    <field>Survey_Id__c</field>\n    <value xsi:type="xsd:string">{K}</value>\n</values>\n',
        klass="1",
    ),
]
