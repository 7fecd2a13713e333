# Renders the Gemma 4 goldens with Jinja2 3.1.6 by the rules of ../shared/testdata/README.md §4c/§4d (trim_blocks,
# lstrip_blocks, loopcontrols; tojson = json.dumps(ensure_ascii=False, ...); raise_exception raises; strftime_now
# formats 2024-07-26), with one addition: the template tests `function['arguments'] is mapping`, so tool-call
# arguments given as JSON strings are parsed to objects first (as they are for templates using `| items` / `| tojson`).
# Run from this folder: python3 render_goldens.py
import datetime, json, os
import jinja2

here = os.path.dirname(os.path.abspath(__file__))
# The shared test data beside the repository (or $HEARTH_TESTDATA).
testdata = os.environ.get('HEARTH_TESTDATA') or os.path.join(here, '..', '..', '..', '..', '..', '..', 'shared', 'testdata')
shared = os.path.normpath(os.path.join(testdata, 'chat-templates', 'generated-goldens', 'contexts'))
template_name = 'google-gemma-4-31B-it.jinja'
src = open(os.path.join(here, template_name), encoding='utf-8').read()

def raise_exception(msg):
    raise jinja2.exceptions.TemplateError(msg)

def tojson(x, indent=None, separators=None, sort_keys=False, ensure_ascii=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

env = jinja2.Environment(trim_blocks=True, lstrip_blocks=True, extensions=['jinja2.ext.loopcontrols'])
env.filters['tojson'] = tojson
env.globals['raise_exception'] = raise_exception
env.globals['strftime_now'] = lambda fmt: datetime.datetime(2024, 7, 26).strftime(fmt)
template = env.from_string(src)
args_as_object = ("tool_call.arguments | items" in src or "tool_call.arguments | tojson" in src
                  or "['arguments'] is mapping" in src)

contexts = [('simple', os.path.join(shared, 'simple.json')), ('system', os.path.join(shared, 'system.json')),
            ('tool_use', os.path.join(shared, 'tool_use.json')),
            ('thinking', os.path.join(here, 'contexts', 'thinking.json')),
            ('native_tools', os.path.join(here, 'contexts', 'native_tools.json')),
            ('legacy_tool_responses', os.path.join(here, 'contexts', 'legacy_tool_responses.json'))]
manifest = []
for name, path in contexts:
    ctx = json.load(open(path, encoding='utf-8'))
    if args_as_object:
        for m in ctx.get('messages', []):
            for tc in m.get('tool_calls') or []:
                f = tc.get('function', {})
                if isinstance(f.get('arguments'), str):
                    f['arguments'] = json.loads(f['arguments'])
    golden = f'goldens/gemma-4-31B-it-{name}.txt'
    error = None
    try:
        out = template.render(**ctx)
    except jinja2.exceptions.TemplateError as e:
        error = str(e)
        out = 'ERROR: ' + error + '\n'
    open(os.path.join(here, golden), 'w', encoding='utf-8', newline='').write(out)
    manifest.append({'template': template_name, 'context': ('shared:' if path.startswith(shared) else 'contexts/') + os.path.basename(path),
                     'golden': golden, 'tool_call_arguments_passed_as_object': args_as_object, 'error': error})
json.dump(manifest, open(os.path.join(here, 'manifest.json'), 'w', encoding='utf-8'), indent=1)
print(json.__name__, jinja2.__version__, len(manifest), 'goldens')
