"""Configuration errors stop cratb with one French line, never a traceback.

Each case runs the real entry points (``manage.py``, the ``cratb`` console
script) in a subprocess, as an operator would, with a clean environment.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Variables of the surrounding run (CI sets DATABASE_URL) must not leak into the cases.
_CONFIG_VARIABLES = {"DATABASE_URL", "DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE", "CRATB_DEMO"}
UNREACHABLE_DATABASE = "postgres://x@127.0.0.1:1/nope"


def _cratb_command() -> list[str]:
    script = Path(sys.executable).with_name("cratb")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "cratb.cli"]


def _run(
    args: list[str], *, env: dict[str, str], var_dir: Path
) -> subprocess.CompletedProcess[str]:
    clean = {key: value for key, value in os.environ.items() if key not in _CONFIG_VARIABLES}
    # A scratch var/ so a case never writes the checkout's secret key or databases.
    clean.update({"CRATB_VAR_DIR": str(var_dir), "CRATB_WAREHOUSE": str(var_dir / "w.duckdb")})
    clean.update(env)
    return subprocess.run(  # noqa: S603 (fixed arguments, no shell)
        args,
        cwd=ROOT,
        env=clean,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _assert_one_line_error(result: subprocess.CompletedProcess[str], *, mentions: str) -> None:
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert mentions in lines[0]


MANAGE_CHECK = [sys.executable, "manage.py", "check"]
DEMO = {"CRATB_DEMO": "true"}
LONG_KEY = "Zq8" * 20 + "-a-long-random-key-for-this-test-only"


@pytest.mark.parametrize(
    ("env", "mentions"),
    [
        pytest.param(
            {"DATABASE_URL": UNREACHABLE_DATABASE, **DEMO}, "DATABASE_URL", id="unreachable-db"
        ),
        pytest.param(
            {"DATABASE_URL": "nosuchdb://x/y", **DEMO}, "DATABASE_URL", id="unreadable-db-url"
        ),
        pytest.param({"DEBUG": "false"}, "SECRET_KEY", id="production-without-secret-key"),
        pytest.param({"SECRET_KEY": "trop-courte"}, "SECRET_KEY", id="short-secret-key"),
        pytest.param(
            {"SECRET_KEY": "django-insecure-" + "abcdefghij" * 5}, "SECRET_KEY", id="example-key"
        ),
        pytest.param({"SECRET_KEY": "a" * 60}, "SECRET_KEY", id="key-of-one-letter"),
        pytest.param({"DEBUG": "peut-etre", **DEMO}, "DEBUG", id="debug-not-a-boolean"),
        pytest.param({"EMAIL_PORT": "vingt-cinq", **DEMO}, "EMAIL_PORT", id="port-not-a-number"),
        pytest.param({"CRATB_RATE_LAB_API": "beaucoup", **DEMO}, "CRATB_RATE_LAB_API", id="rate"),
    ],
)
def test_manage_py_stops_with_one_line_on_bad_configuration(
    tmp_path: Path, env: dict[str, str], mentions: str
) -> None:
    result = _run(MANAGE_CHECK, env=env, var_dir=tmp_path)

    _assert_one_line_error(result, mentions=mentions)


def test_manage_py_check_passes_on_a_demonstration(tmp_path: Path) -> None:
    result = _run(MANAGE_CHECK, env=DEMO, var_dir=tmp_path)

    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr


def test_processes_starting_together_share_one_whole_secret_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """CI starts two test suites at once on a fresh checkout: every process reads the
    same whole key, never a half-written one, and no scratch file is left behind. Six
    threads stand for six processes; writing is slowed down in the middle of the key."""
    import time
    from concurrent.futures import ThreadPoolExecutor

    from cratb import settings

    monkeypatch.setattr(settings, "VAR_DIR", tmp_path)
    write_text = Path.write_text

    def slow_write(self: Path, data: str, *args: object, **kwargs: object) -> int:
        write_text(self, data[:10])
        time.sleep(0.2)
        return write_text(self, data)

    monkeypatch.setattr(Path, "write_text", slow_write)
    with ThreadPoolExecutor(max_workers=6) as pool:
        keys = set(pool.map(lambda _: settings._local_secret_key(), range(6)))
    assert keys == {(tmp_path / "secret_key").read_text().strip()}
    assert len(keys.pop()) >= 50
    assert sorted(path.name for path in tmp_path.iterdir()) == ["secret_key"]


def test_debug_is_off_unless_cratb_demo_marked_the_data_folder(tmp_path: Path) -> None:
    """``make run`` as before (migrate, ``cratb demo``, runserver, no variable set): the
    demo's folder shows debug pages; any other folder does not, and its secret key is a
    random one generated for it."""
    shell = [sys.executable, "manage.py", "shell", "-c", "from django.conf import settings;"
             " print(settings.DEBUG, settings.DEMO)"]  # fmt: skip
    result = _run(shell, env={}, var_dir=tmp_path)
    assert result.stdout.split()[-2:] == ["False", "False"], result.stderr
    assert len((tmp_path / "secret_key").read_text()) >= 50
    (tmp_path / "demo-mode").write_text("démonstration")
    result = _run(shell, env={}, var_dir=tmp_path)
    assert result.stdout.split()[-2:] == ["True", "True"], result.stderr
    result = _run(shell, env={"CRATB_DEMO": "false", "SECRET_KEY": LONG_KEY}, var_dir=tmp_path)
    assert result.stdout.split()[-2:] == ["False", "False"], result.stderr


def test_production_settings_pass_the_deployment_checks(tmp_path: Path) -> None:
    production = {
        "DEBUG": "false",
        "SECRET_KEY": LONG_KEY,
        "ALLOWED_HOSTS": "cratb.example.org",
    }
    result = _run([*MANAGE_CHECK, "--deploy"], env=production, var_dir=tmp_path)

    assert result.returncode == 0, result.stderr
    issues = set(re.findall(r"\((\w+\.[WE]\d+)\)", result.stdout + result.stderr))
    # HSTS preloading commits the operator's whole domain for months: their decision
    # (docs/operations.md), so it is the one deployment warning left by default.
    assert issues <= {"security.W021"}, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("env", "mentions"),
    [
        pytest.param(
            {"DATABASE_URL": UNREACHABLE_DATABASE, **DEMO}, "DATABASE_URL", id="unreachable-db"
        ),
        pytest.param(
            {"DEBUG": "false", "CRATB_DEMO": "false"}, "SECRET_KEY", id="not-a-demo-without-key"
        ),
    ],
)
def test_cratb_stops_with_one_line_on_bad_configuration(
    tmp_path: Path, env: dict[str, str], mentions: str
) -> None:
    # `cratb demo` is the command that reaches the web database; the smallest region
    # at a tiny scale keeps the files and the import it does first to a second.
    demo = ["demo", "--region", "94", "--scale", "0.001", "--out", str(tmp_path / "demo")]

    result = _run([*_cratb_command(), *demo], env=env, var_dir=tmp_path)

    _assert_one_line_error(result, mentions=mentions)


def test_cratb_refuses_an_unknown_command_with_exit_code_2(tmp_path: Path) -> None:
    result = _run([*_cratb_command(), "nettoyer-tout"], env={}, var_dir=tmp_path)

    assert result.returncode == 2
    assert "nettoyer-tout" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_refused_file_is_one_french_line_from_the_installed_command(tmp_path: Path) -> None:
    # The console script as a user runs it: no traceback, exit code 2.
    source = tmp_path / "isolats.csv"
    source.write_text("isolate_id\n1\n")
    result = _run(
        [*_cratb_command(), "ast", "target", str(source), "--out", str(tmp_path / "out.csv")],
        env={},
        var_dir=tmp_path,
    )

    _assert_one_line_error(result, mentions="obligatoire")
    assert result.returncode == 2


# os.environ.get("X"), os.environ["X"], os.getenv("X"), and settings' envbool/envint/… ("X", …)
_ENV_READ = re.compile(
    r"""(?:os\.environ(?:\.get)?|os\.getenv|env(?:bool|int|float|list))[\[(]\s*["']([A-Z][A-Z0-9_]+)["']"""
)
# Names kept in constants (ENV_DIR = "CRATB_REFERENCE_DIR") are cratb's own: CRATB_*.
_CRATB_NAME = re.compile(r"""["'](CRATB_[A-Z0-9_]+)["']""")
# Set by cratb for Django itself, not by an operator.
_NOT_OPERATOR_SETTINGS = {"DJANGO_SETTINGS_MODULE"}


def test_env_example_documents_every_variable_the_code_reads() -> None:
    sources = [
        path
        for path in (ROOT / "cratb").rglob("*.py")
        if "tests" not in path.parts and "migrations" not in path.parts
    ]
    read: set[str] = set()
    for path in sources:
        text = path.read_text(encoding="utf-8")
        read |= set(_ENV_READ.findall(text)) | set(_CRATB_NAME.findall(text))
    documented = set(
        re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.MULTILINE)
    )

    assert {"DATABASE_URL", "SECRET_KEY", "CRATB_WAREHOUSE"} <= read
    assert read - _NOT_OPERATOR_SETTINGS - documented == set()


# The one module of each side that reads the environment (docs/architecture.md).
ENVIRONMENT_READERS = {"cratb/settings.py", "cratb/engine/config.py"}
# Django finds its settings module by its name in the environment: the entry points name
# cratb's through this one function, the only other place that touches the environment.
SETTINGS_MODULE_NAMING = ("cratb/bootstrap.py", "use_cratb_settings")
_ENVIRONMENT_NAMES = {"environ", "environb", "getenv", "getenvb", "putenv", "unsetenv"}


def _environment_uses(tree: ast.AST) -> list[tuple[int, str]]:
    """Where a module touches the process environment: ``os.environ``, ``os.getenv``…,
    or those names imported from ``os``; with the enclosing function's name."""
    uses: list[tuple[int, str]] = []

    def visit(node: ast.AST, function: str) -> None:
        for child in ast.iter_child_nodes(node):
            name = function
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                name = child.name
            if (
                isinstance(child, ast.Attribute)
                and child.attr in _ENVIRONMENT_NAMES
                and isinstance(child.value, ast.Name)
                and child.value.id == "os"
            ) or (
                isinstance(child, ast.ImportFrom)
                and child.module == "os"
                and any(alias.name in _ENVIRONMENT_NAMES for alias in child.names)
            ):
                uses.append((child.lineno, name))
            visit(child, name)

    visit(tree, "")
    return uses


def test_only_the_settings_and_the_engine_configuration_read_the_environment() -> None:
    readers: dict[str, list[tuple[int, str]]] = {}
    for path in sorted((ROOT / "cratb").rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        uses = _environment_uses(ast.parse(path.read_text(encoding="utf-8")))
        if uses:
            readers[relative] = uses

    assert ENVIRONMENT_READERS <= set(readers)
    naming_file, naming_function = SETTINGS_MODULE_NAMING
    assert [function for _, function in readers.pop(naming_file)] == [naming_function]
    assert set(readers) - ENVIRONMENT_READERS == set()


def test_the_reading_check_finds_every_way_of_reading() -> None:
    source = (
        "import os\nfrom os import getenv\n"
        "a = os.environ.get('X')\nb = os.getenv('Y')\n"
        "def f():\n    return os.environ['Z']\n"
    )
    assert _environment_uses(ast.parse(source)) == [(2, ""), (3, ""), (4, ""), (6, "f")]
