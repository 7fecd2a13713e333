#!/usr/bin/env python3
"""Renders templates/*.jinja x contexts/*.json into goldens/ with Jinja2 (3.1.6 was used), by the rules of
../shared/testdata/README.md section 4c: trim_blocks, lstrip_blocks, loopcontrols; `safe` passes through; `tojson`
is json.dumps(x, ensure_ascii=False, indent, separators, sort_keys); raise_exception(msg) raises; strftime_now(fmt)
formats 2024-07-26; when the template text contains `tool_call.arguments | items` (also written `|items`, which
only works on an object) or `tool_call.arguments | tojson`, each tool call's arguments string is parsed to an
object. A template that raises gets the golden "ERROR: <message>". Writes manifest.json."""
import datetime, glob, json, os
import jinja2
from jinja2.ext import loopcontrols

here = os.path.dirname(os.path.abspath(__file__))

class TemplateError(Exception):
    pass

def raise_exception(msg):
    raise TemplateError(msg)

def tojson(x, indent=None, separators=None, sort_keys=False, ensure_ascii=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

def wants_objects(src):
    return any(s in src for s in ("tool_call.arguments | items", "tool_call.arguments|items", "tool_call.arguments | tojson"))

manifest = []
for tpath in sorted(glob.glob(os.path.join(here, "templates", "*.jinja"))):
    src = open(tpath, encoding="utf-8").read()
    env = jinja2.Environment(trim_blocks=True, lstrip_blocks=True, extensions=[loopcontrols])
    env.filters["tojson"] = tojson
    env.filters["safe"] = lambda x: x
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = lambda fmt: datetime.datetime(2024, 7, 26).strftime(fmt)
    template = env.from_string(src)
    objects = wants_objects(src)
    name = os.path.basename(tpath)[:-len(".jinja")]
    for cpath in sorted(glob.glob(os.path.join(here, "contexts", "*.json"))):
        ctx = json.load(open(cpath, encoding="utf-8"))
        if objects:
            for m in ctx["messages"]:
                for c in m.get("tool_calls") or []:
                    if isinstance(c["function"].get("arguments"), str):
                        c["function"]["arguments"] = json.loads(c["function"]["arguments"])
        cname = os.path.basename(cpath)[:-len(".json")]
        error = None
        try:
            out = template.render(**ctx)
        except TemplateError as e:
            error = str(e)
            out = "ERROR: " + error + "\n"
        golden = f"goldens/{name}-{cname}.txt"
        with open(os.path.join(here, golden), "w", encoding="utf-8", newline="") as f:
            f.write(out)
        manifest.append({"template": f"templates/{name}.jinja", "context": f"contexts/{cname}.json", "golden": golden,
                         "tool_call_arguments_passed_as_object": objects, "error": error})
with open(os.path.join(here, "manifest.json"), "w", encoding="utf-8") as f:
    json.dump(manifest, f, indent=1)
    f.write("\n")
print(f"{len(manifest)} goldens, jinja2 {jinja2.__version__}")
