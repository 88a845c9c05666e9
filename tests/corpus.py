"""A labelled corpus: realistic files that do and do not hold a QuestionPro key.

Templates carry ``{K}`` (a fresh random key, lower case), ``{KU}`` (the same upper case),
``{B64}`` (the key base64-encoded) and ``{U}`` (another random UUID that is *not* a key), so no key-like literal is ever
committed here and the repository's own hook stays quiet. ``expect`` lists the
(line, datacenter) of every key the template plants. The rows for issue 9's failure
classes are in ``tests/corpus_classes.py``, labelled by class.
"""

from __future__ import annotations

import base64
import random
import uuid
from dataclasses import dataclass

from responder.scanning.detect import is_placeholder

SEED = "qp-responder"
_random = random.Random(SEED)


def reseed(name: str) -> None:
    """Start the draws afresh for one test: the same keys for it in every run, whatever
    ran before it (conftest reseeds with each test's id)."""
    _random.seed(f"{SEED}:{name}")


def new_uuid() -> str:
    return str(uuid.UUID(int=_random.getrandbits(128), version=4))


@dataclass(frozen=True)
class Case:
    name: str
    filename: str
    template: str
    expect: tuple[tuple[int, str | None], ...] = ()
    klass: str = "general"  # issue 9's failure class the row stands for (tests/corpus_classes.py)

    def render(self, key: str, other: str | None = None) -> str:
        other = other or new_uuid()
        encoded = base64.b64encode(key.encode()).decode()
        return (
            self.template.replace("{KU}", key.upper())
            .replace("{K}", key)
            .replace("{U}", other)
            .replace("{B64}", encoded)
        )


def new_key() -> str:
    """A random key the detector takes for one: never a placeholder (an all-zero,
    sequential or documentation-example UUID, which about 2 in a million random ones are)."""
    while True:
        key = new_uuid()
        if not is_placeholder(key):
            return key


POSITIVES = [
    Case("dotenv", ".env", "QUESTIONPRO_API_KEY={K}\n", ((1, None),)),
    Case("dotenv-quoted", "config/.env.production", '# QuestionPro\nLOG_LEVEL=info\nQP_API_KEY="{K}"\n', ((3, None),)),
    Case("dotenv-upper", ".env", "QUESTIONPRO_API_KEY={KU}\n", ((1, None),)),
    Case(
        "python-header",
        "sync.py",
        'import requests\n\nBASE = "https://api.questionpro.eu/a/api/v2"\n'
        'HEADERS = {"api-key": "{K}", "Content-Type": "application/json"}\n',
        ((4, "eu"),),
    ),
    Case(
        "python-legacy-query",
        "legacy.py",
        'r = requests.get(f"https://api.questionpro.com/a/api/v2/surveys/123?apiKey={K}")\n',
        ((1, "com"),),
    ),
    Case(
        "js-axios",
        "src/client.js",
        "const client = axios.create({ baseURL: 'https://api.questionpro.ca/a/api/v2', headers: { 'api-key': '{K}' } });\n",
        ((1, "ca"),),
    ),
    Case("ts-named", "src/config.ts", 'export const questionproApiKey: string = "{K}";\n', ((1, None),)),
    Case(
        "java-header",
        "Sync.java",
        "// QuestionPro survey sync\nHttpRequest req = HttpRequest.newBuilder()\n"
        '    .uri(URI.create("https://api.questionpro.sg/a/api/v2/users/42/surveys"))\n'
        '    .header("api-key", "{K}")\n    .build();\n',
        ((4, "sg"),),
    ),
    Case(
        "java-sdk-setter",
        "CxConfig.java",
        'import com.questionpro.cx.Client;\nclass A { void f() { client.setAccessKey("{K}"); } }\n',
        ((2, None),),
    ),
    Case(
        "go-header",
        "main.go",
        'const host = "https://api.questionpro.au"\nfunc f(req *http.Request) {\n\treq.Header.Set("api-key", "{K}")\n}\n',
        ((3, "au"),),
    ),
    Case(
        "csharp-header",
        "Client.cs",
        'var http = new HttpClient { BaseAddress = new Uri("https://api.questionpro.ae/") };\n'
        'http.DefaultRequestHeaders.Add("api-key", "{K}");\n',
        ((2, "ae"),),
    ),
    Case(
        "php-var",
        "qp.php",
        "<?php\n$url = 'https://api.surveyanalytics.com/a/api/v2/surveys';\n$apiKey = '{K}';\n",
        ((3, "sa"),),
    ),
    Case("ruby-const", "lib/qp.rb", "QUESTIONPRO_KEY = '{K}'\n", ((1, None),)),
    Case(
        "shell-curl",
        "rotate.sh",
        "curl --location 'https://api.questionprosa.com/a/api/v2/apikey/regenerate' \\\n  --header 'api-key: {K}'\n",
        ((2, "ksa"),),
    ),
    Case("yaml-nested", "config.yml", "questionpro:\n  datacenter: eu\n  api_key: {K}\n", ((3, "eu"),)),
    Case(
        "workflow-env",
        ".github/workflows/sync.yml",
        "jobs:\n  sync:\n    env:\n      QUESTIONPRO_API_KEY: {K}\n",
        ((4, None),),
    ),
    Case("json-nested", "settings.json", '{\n  "questionpro": {\n    "apiKey": "{K}"\n  }\n}\n', ((3, None),)),
    Case("toml-section", "pyproject.toml", '[tool.questionpro]\napi_key = "{K}"\n', ((2, None),)),
    Case("properties", "application.properties", "questionpro.api.key={K}\n", ((1, None),)),
    Case("markdown-fence", "README.md", "## Setup\n\n```bash\nexport QUESTIONPRO_API_KEY={K}\n```\n", ((4, None),)),
    Case(
        "notebook",
        "analysis.ipynb",
        '{\n "cells": [\n  {\n   "cell_type": "code",\n   "source": [\n    "import questionpro\\n",\n'
        '    "headers = {\\"api-key\\": \\"{K}\\"}\\n"\n   ]\n  }\n ]\n}\n',
        ((7, None),),
    ),
    Case(
        "far-context",
        "service.py",
        "# Talks to QuestionPro.\n" + "x = 1\n" * 198 + 'api_key = "{K}"\n',
        ((200, None),),
    ),
    Case(
        "xml-appsetting",
        "App.config",
        '<appSettings>\n  <add key="QuestionProApiKey" value="{K}" />\n</appSettings>\n',
        ((2, None),),
    ),
    Case(
        "postman",
        "QuestionPro.postman_collection.json",
        '{"request": {"url": "https://api.questionpro.com/a/api/v2/surveys",\n'
        ' "header": [{"key": "api-key", "value": "{K}", "type": "text"}]}}\n',
        ((2, "com"),),
    ),
    Case("getenv-default", "settings.py", 'API_KEY = os.getenv("QUESTIONPRO_API_KEY", "{K}")\n', ((1, None),)),
    Case("dockerfile", "Dockerfile", "FROM python:3.12\nENV QP_API_KEY={K}\n", ((2, None),)),
    Case("terraform", "main.tf", 'variable "x" {}\nquestionpro_api_key = "{K}"\n', ((2, None),)),
    Case("k8s-secret", "secret.yaml", 'kind: Secret\nstringData:\n  QUESTIONPRO_API_KEY: "{K}"\n', ((3, None),)),
    Case("kotlin", "Qp.kt", 'val qpApiKey = "{K}"\n', ((1, None),)),
    Case("python-kwarg", "app.py", 'client = QuestionPro(api_key="{K}")\n', ((1, None),)),
    Case("js-env-fallback", "index.js", "const key = process.env.QUESTIONPRO_API_KEY || '{K}';\n", ((1, None),)),
    Case("sdk-constructor", "Program.cs", 'var client = new QuestionProClient("{K}");\n', ((1, None),)),
    Case(
        "azure-and-questionpro",
        "clients.py",
        'QP = "https://api.questionpro.com/a/api/v2"\nqp_headers = {"api-key": "{K}"}\n\n'
        'AZURE = "https://contoso.openai.azure.com/openai/deployments/gpt"\nazure_headers = {"api-key": "{U}"}\n',
        ((2, "com"),),
    ),
    Case("k8s-env-name-value", "deploy.yaml", 'env:\n  - name: QUESTIONPRO_API_KEY\n    value: "{K}"\n', ((3, None),)),
    Case(
        "ecs-task-json",
        "taskdef.json",
        '{\n  "environment": [\n    {\n      "name": "QUESTIONPRO_API_KEY",\n      "value": "{K}"\n    }\n  ]\n}\n',
        ((5, None),),
    ),
    Case(
        "postman-pretty",
        "QuestionPro.postman_collection.json",
        '{\n  "url": "https://api.questionpro.eu/a/api/v2/surveys",\n  "header": [\n    {\n      "key": "api-key",\n'
        '      "value": "{K}",\n      "type": "text"\n    }\n  ]\n}\n',
        ((6, "eu"),),
    ),
    Case(
        "plist", "Info.plist", "<dict>\n  <key>QuestionProApiKey</key>\n  <string>{K}</string>\n</dict>\n", ((3, None),)
    ),
    Case(
        "resx",
        "Strings.resx",
        '<data name="QuestionProApiKey" xml:space="preserve"><value>{K}</value></data>\n',
        ((1, None),),
    ),
    Case(
        "compose-env-list",
        "docker-compose.yml",
        "services:\n  app:\n    environment:\n      - QUESTIONPRO_API_KEY={K}\n",
        ((4, None),),
    ),
    Case("java-system-property", "Main.java", 'System.setProperty("questionpro.api.key", "{K}");\n', ((1, None),)),
    Case("powershell-env", "setup.ps1", "$env:QUESTIONPRO_API_KEY = '{K}'\n", ((1, None),)),
]

NEGATIVES = [
    Case("request-id", "response.json", '{"response": {"surveyID": 42}, "requestID": "{K}"}  \n// questionpro\n'),
    Case("survey-and-user-ids", "ids.py", '# questionpro\nsurveyID = "{K}"\nuser_id = "{U}"\nfolder_id="{K}"\n'),
    Case("trace-ids", "log.txt", "questionpro call X-Request-Id: {K} trace_id={U}\n"),
    Case(
        "sln",
        "App.sln",
        'Project("{FAE04EC0-301F-11D3-BF4B-00C04F79EFBC}") = "App", "App.csproj", "{{KU}}"\nEndProject\n'
        "Global\n\tGlobalSection(ExtensibilityGlobals) = postSolution\n\t\tSolutionGuid = {{KU}}\n",
    ),
    Case("k8s-uid", "pod.yaml", "metadata:\n  name: questionpro-sync\n  uid: {K}\n"),
    Case("placeholder-zero", ".env", "QUESTIONPRO_API_KEY=00000000-0000-0000-0000-000000000000\n"),
    Case("placeholder-repeated", ".env", "QUESTIONPRO_API_KEY=11111111-1111-1111-1111-111111111111\n"),
    Case("placeholder-example", ".env", "QUESTIONPRO_API_KEY=123e4567-e89b-12d3-a456-426614174000\n"),
    Case("placeholder-sequential", ".env", "QUESTIONPRO_API_KEY=12345678-1234-1234-1234-123456789abc\n"),
    Case(
        "placeholder-template",
        "doc.md",
        "curl https://api.questionpro.com/a/api/v2/apikey/regenerate --header 'api-key: {{api-key}}'\n",
    ),
    Case(
        "placeholder-words",
        ".env.example",
        "QUESTIONPRO_API_KEY=your_api_key\nQP_API_KEY=xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx\n",
    ),
    Case(
        "references",
        "refs.py",
        'api_key = os.environ["QUESTIONPRO_API_KEY"]\nk = process.env.QUESTIONPRO_API_KEY\n'
        "key: ${{ secrets.QUESTIONPRO_API_KEY }}\nexport QP_API_KEY=$QUESTIONPRO_API_KEY\n",
    ),
    Case(
        "azure-openai-only",
        "llm.py",
        'ENDPOINT = "https://contoso.openai.azure.com/openai/deployments/gpt-4o/chat/completions"\n'
        'headers = {"api-key": "{K}", "Content-Type": "application/json"}\n',
    ),
    Case("azure-named", "cfg.env", "AZURE_OPENAI_API_KEY={K}\n# questionpro is configured elsewhere\n"),
    Case("allowlist-inline", ".env", "QUESTIONPRO_API_KEY={K}  # pragma: allowlist secret\n"),
    Case("allowlist-nextline", "a.py", "# pragma: allowlist nextline secret\nQUESTIONPRO_API_KEY = '{K}'\n"),
    Case(
        "generic-key-elsewhere",
        "other.js",
        "const apiKey = \"{K}\";\nfetch('https://api.example.com', { headers: { 'api-key': apiKey } });\n",
    ),
    Case("csharp-guid-attr", "AssemblyInfo.cs", '// QuestionPro connector\n[assembly: Guid("{K}")]\n[Guid("{U}")]\n'),
    Case("uuid-constructor", "ids.py", '# questionpro\nNAMESPACE = uuid.UUID("{K}")\n'),
    Case("response-ids", "export.json", '{"questionpro": true, "responseId": "{K}", "sessionKey": "{U}"}\n'),
    Case(
        "header-variable", "qp.py", 'QP = "https://api.questionpro.com"\nheaders = {"api-key": api_key, "x": "{K}"}\n'
    ),
    Case("glued-hex", "hash.txt", "questionpro api_key=a{K}b\n"),
    Case("survey-id-via-api", "ids.env", "QUESTIONPRO_API_SURVEY_ID={K}\nquestionpro_client_id: {U}\n"),
    Case("method-call", "qp.ts", "// questionpro\nconst r = questionproApi.getResponse('{K}');\n"),
    Case("k8s-env-other-name", "deploy.yaml", '# questionpro sync\nenv:\n  - name: REQUEST_ID\n    value: "{K}"\n'),
    Case("value-far-from-name", "cfg.yaml", "questionpro_api_key: x\nsomething: else\nvalue: {K}\n"),
]


def _with_classes() -> None:
    from tests.corpus_classes import CLASS_NEGATIVES, CLASS_POSITIVES
    from tests.corpus_detect2 import ROUND4_NEGATIVES, ROUND4_POSITIVES, ROUND5_NEGATIVES, ROUND5_POSITIVES
    from tests.corpus_heldout import HELDOUT_NEGATIVES, HELDOUT_POSITIVES

    POSITIVES.extend(CLASS_POSITIVES + HELDOUT_POSITIVES + ROUND4_POSITIVES + ROUND5_POSITIVES)
    NEGATIVES.extend(CLASS_NEGATIVES + HELDOUT_NEGATIVES + ROUND4_NEGATIVES + ROUND5_NEGATIVES)


_with_classes()
