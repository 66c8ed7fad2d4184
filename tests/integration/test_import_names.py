"""A notebook folder with its own ``weather.py`` and ``components.py`` must not
break ``import twin``: the twin's subpackages are ``twin.weather`` and
``twin.components``, never the top-level names."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_user_modules_named_weather_and_components_do_not_shadow_twin(tmp_path):
    (tmp_path / "weather.py").write_text("USER = 'weather'\n")
    (tmp_path / "components.py").write_text("USER = 'components'\n")
    script = (
        "import twin, weather, components\n"
        f"config = twin.load_config({str(ROOT / 'configs' / 'reference_factory.toml')!r})\n"
        "assert weather.USER == 'weather' and components.USER == 'components'\n"
        "assert twin.weather.__name__ == 'twin.weather'\n"
        "print(config.plant.name, len(twin.weather.list_sites()))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "reference_factory" in done.stdout
