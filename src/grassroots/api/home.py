"""The first screen a newcomer sees at the server's root."""

from __future__ import annotations

from litestar import MediaType, get
from litestar.datastructures import State

from grassroots import __version__

__all__ = ["home"]

_PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Grassroots · 青年志愿服务与基层工作平台</title>
<style>
 body {{ font-family: system-ui, sans-serif; max-width: 44rem; margin: 3rem auto; padding: 0 1rem;
        color: #1d2a36; line-height: 1.55; }}
 h1 {{ color: #b3261e; margin-bottom: .2rem; }}
 code {{ background: #f2f4f7; padding: .1rem .3rem; }}
 ul {{ padding-left: 1.2rem; }} .muted {{ color: #5b6b7a; }}
</style></head><body>
<h1>Grassroots</h1>
<p class="muted">青年志愿服务与基层工作平台 · version {version}</p>
<p>The service is running on the <strong>{store}</strong> event store.</p>
<ul>
 <li><a href="/schema">API documentation</a> (OpenAPI, interactive)</li>
 <li><a href="/schema/openapi.json">OpenAPI document</a> (JSON)</li>
 <li><a href="/health">Health</a></li>
</ul>
<p class="muted">Volunteers sign up and scan a venue's rotating code; youth centers post
activities; cadres log grassroots visits; supervisors review compliance.</p>
</body></html>
"""


@get("/", media_type=MediaType.HTML, include_in_schema=False, sync_to_thread=False)
def home(state: State) -> str:
    return _PAGE.format(version=__version__, store=state.event_store_kind)
