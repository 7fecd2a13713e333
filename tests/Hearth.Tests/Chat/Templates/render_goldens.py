# Renders the goldens of this folder with plain Jinja2 3.1.6 and the rules of ../shared/testdata/README.md §4c:
# trim_blocks, lstrip_blocks, loopcontrols; tojson = json.dumps(ensure_ascii=False, ...); raise_exception raises;
# strftime_now formats 2024-07-26; tool-call arguments stay JSON strings unless the template text contains
# "tool_call.arguments | items" or "tool_call.arguments | tojson". One addition for this template (a Harmony template,
# with "<|channel|>"): it writes "tool_call.arguments|tojson" unspaced and means an object (the model reads and writes
# the bare JSON; llama.cpp passes objects to it), so its string arguments are parsed to objects too.
# Contexts: testdata/chat-templates/generated-goldens.
# Usage: python3 render_goldens.py ../../../../../shared/testdata
import datetime, json, os, sys
import jinja2

testdata = sys.argv[1]
contexts = os.path.join(testdata, "chat-templates", "generated-goldens", "contexts")
here = os.path.dirname(os.path.abspath(__file__))

def tojson(x, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=False, indent=indent, separators=separators, sort_keys=sort_keys)

def raise_exception(msg):
    raise jinja2.exceptions.TemplateError(msg)

def render(template_name, context_name, extra):
    src = open(os.path.join(here, template_name), encoding="utf-8").read()
    env = jinja2.Environment(trim_blocks=True, lstrip_blocks=True, extensions=["jinja2.ext.loopcontrols"])
    env.filters["tojson"] = tojson
    env.filters["safe"] = lambda x: x
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = lambda fmt: datetime.date(2024, 7, 26).strftime(fmt)
    ctx = json.load(open(os.path.join(contexts, context_name + ".json"), encoding="utf-8"))
    harmony = "<|channel|>" in src and "<|message|>" in src
    if "tool_call.arguments | items" in src or "tool_call.arguments | tojson" in src or (harmony and "tool_call.arguments|tojson" in src):
        for m in ctx["messages"]:
            for c in m.get("tool_calls", []) or []:
                c["function"]["arguments"] = json.loads(c["function"]["arguments"])
    ctx.update(extra)
    try:
        return env.from_string(src).render(**ctx)
    except jinja2.exceptions.TemplateError as e:
        return "ERROR: " + str(e) + "\n"

for context in ["simple", "system", "tool_use"]:
    out = render("openai-gpt-oss-120b.jinja", context, {})
    open(os.path.join(here, "openai-gpt-oss-120b-" + context + ".txt"), "w", encoding="utf-8", newline="").write(out)
# The request's reasoning effort reaches the template as the variable reasoning_effort.
out = render("openai-gpt-oss-120b.jinja", "system", {"reasoning_effort": "high"})
open(os.path.join(here, "openai-gpt-oss-120b-system-high.txt"), "w", encoding="utf-8", newline="").write(out)
