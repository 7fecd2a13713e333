using Hearth.Chat;
using Hearth.Chat.Jinja;

namespace Hearth.Tests.Chat;

/// <summary>
/// Jinja2 3.1 semantics, feature by feature. Expected strings are what Python's Jinja2 prints for the same template
/// (trim_blocks, lstrip_blocks, loopcontrols), written out by hand from its documented behaviour.
/// </summary>
public class JinjaInterpreterTests
{
    private static readonly DateTime Date = new(2024, 7, 26);

    internal static string Render(string template, string varsJson = "{}")
    {
        var vars = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (JinjaJson.Parse(varsJson) is JinjaDict d)
            foreach (var kv in d.Items) vars[(string)kv.Key] = kv.Value;
        return JinjaTemplate.Parse(template).Render(vars, Date);
    }

    [Theory]
    // loops
    [InlineData("{% for x in [1,2,3] %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.first }}{{ loop.last }}{{ loop.length }}|{% endfor %}",
        "103TrueFalse3|212FalseFalse3|321FalseTrue3|")]
    [InlineData("{% for x in 'abc' %}{{ loop.previtem or '-' }}{{ loop.nextitem or '-' }} {% endfor %}", "-b ac b- ")]
    [InlineData("{% for x in [] %}a{% else %}empty{% endfor %}", "empty")]
    [InlineData("{% for x in range(10) if x is odd %}{{ x }}{{ loop.length }},{% endfor %}", "15,35,55,75,95,")]
    [InlineData("{% for k, v in {'a': 1, 'b': 2}.items() %}{{ k }}={{ v }};{% endfor %}", "a=1;b=2;")]
    [InlineData("{% for k, v in {'a': 1} | items %}{{ k }}{{ v }}{% endfor %}", "a1")]
    [InlineData("{% for x in range(10) %}{% if x == 2 %}{% continue %}{% endif %}{% if x == 5 %}{% break %}{% endif %}{{ x }}{% endfor %}", "0134")]
    [InlineData("{% for x in range(3) %}{{ loop.cycle('a', 'b') }}{% endfor %}", "aba")]
    [InlineData("{% for k in {'b': 1, 'a': 2} %}{{ k }}{% endfor %}", "ba")]
    [InlineData("{% for a in [1, 2] %}{% for b in 'xy' %}{{ a }}{{ b }}{{ loop.depth }} {% endfor %}{% endfor %}", "1x1 1y1 2x1 2y1 ")]
    // if, set, scoping, namespace
    [InlineData("{% if 0 %}a{% elif '' %}b{% elif [1] %}c{% else %}d{% endif %}", "c")]
    [InlineData("{% set ns = namespace(n=0) %}{% for x in [1,2,3] %}{% set ns.n = ns.n + x %}{% endfor %}{{ ns.n }}", "6")]
    [InlineData("{% set n = 0 %}{% for x in [1,2] %}{% set n = n + x %}{% endfor %}{{ n }}", "0")]
    [InlineData("{% if true %}{% set n = 5 %}{% endif %}{{ n }}", "5")]
    [InlineData("{% set a, b = [1, 2] %}{{ b }}{{ a }}", "21")]
    [InlineData("{% set x %}  hi {% endset %}[{{ x }}]", "[  hi ]")]
    [InlineData("{% set x | trim | upper %}  hi {% endset %}[{{ x }}]", "[HI]")]
    // macros and call blocks
    [InlineData("{% macro m(a, b='B') %}{{ a }}{{ b }}{{ caller() if caller is defined }}{% endmacro %}{{ m(1) }}|{{ m(1, b=2) }}|{% call m('x') %}body{% endcall %}",
        "1B|12|xBbody")]
    [InlineData("{% macro f(n) %}{% if n > 0 %}{{ n }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(3) }}", "321")]
    [InlineData("{% macro row(x) %}<{{ caller(x * 2) }}>{% endmacro %}{% call(y) row(4) %}{{ y }}{% endcall %}", "<8>")]
    // whitespace control, trim_blocks, lstrip_blocks, comments, raw
    [InlineData("a  {%- if true -%}  b  {%- endif -%}  c", "abc")]
    [InlineData("{% if true %}\n    x\n    {% endif %}\ny", "    x\ny")]
    [InlineData("  {# c #}\nb", "b")]
    [InlineData("a{# c #}b", "ab")]
    [InlineData("  {%+ if true %}x{% endif %}", "  x")]
    [InlineData("{{ 'a' }}\n{{ 'b' }}\n", "a\nb")]
    [InlineData("a {{- ' b ' -}} c", "a b c")]
    [InlineData("{% raw %}{{ x }}{% endraw %}", "{{ x }}")]
    [InlineData("{% filter upper %}abc{% endfilter %}", "ABC")]
    [InlineData("a\r\nb", "a\nb")]
    // expressions
    [InlineData("{{ 7 // 2 }} {{ -7 // 2 }} {{ 7 % -3 }} {{ 7 / 2 }} {{ 2 ** 10 }} {{ 1 + 2 * 3 }} {{ 'a' ~ 1 ~ none }}", "3 -4 -2 3.5 1024 7 a1None")]
    [InlineData("{{ 1 < 2 < 3 }} {{ 'b' in 'abc' }} {{ 3 not in [1,2] }} {{ 'k' in {'k': 1} }} {{ not 1 == 2 }}", "True True True True True")]
    [InlineData("{{ 'y' if 0 else 'n' }}[{{ 'y' if false }}]", "n[]")]
    [InlineData("{{ [1,2,3,4][::-1] }} {{ 'hello'[1:3] }} {{ [1,2,3][-2:] }} {{ 'abc'[::-1] }} {{ [1,2,3,4,5][::2] }}", "[4, 3, 2, 1] el [2, 3] cba [1, 3, 5]")]
    [InlineData("{% set d = {'items': 5} %}{{ d['items'] }} {{ d.get('x', 'dflt') }} {{ d.x }}", "5 dflt ")]
    [InlineData("{{ {'a': [1, 'x', none, true, 1.5]} }} {{ [\"it's\"] }} {{ (1, 'a') }}", "{'a': [1, 'x', None, True, 1.5]} [\"it's\"] (1, 'a')")]
    [InlineData("{{ 1e-5 }} {{ 1e16 }} {{ 0.1 + 0.2 }} {{ 3.0 }} {{ 1e15 }} {{ 2 * 1.5 }} {{ 10 / 4 }}", "1e-05 1e+16 0.30000000000000004 3.0 1000000000000000.0 3.0 2.5")]
    [InlineData("{{ 'a' 'b' }} {{ 'a\\nb' | length }} {{ \"q\\\"\" }} {{ '\\u00e9' }}", "ab 3 q\" é")]
    [InlineData("{{ messages[0].content }}|{{ messages[-1]['role'] }}|{{ messages | length }}", "hi|assistant|2")]
    // filters
    [InlineData("{{ '  x ' | trim }}|{{ 'xxhix' | trim('x') }}|{{ 'hello wORLD-x (y' | title }}|{{ 'hELLO' | capitalize }}|{{ 'Ab' | upper }}{{ 'Ab' | lower }}",
        "x|hi|Hello World-X (Y|Hello|ABab")]
    [InlineData("{{ x | default('d') }} {{ '' | default('d', true) }} {{ none | default('d') }} {{ x | d('e') }}", "d d None e")]
    [InlineData("{{ [1, 2, 3] | map('string') | join('-') }} {{ ['a', 'b'] | join }} {{ [1, 2] | join(', ') }}", "1-2-3 ab 1, 2")]
    [InlineData("{{ [3, 1, 2] | sort }} {{ ['b', 'A', 'a'] | unique | list }} {{ {'b': 1, 'a': 2} | dictsort }} {{ [1, 2] | reverse | list }} {{ 'ab' | list }} {{ [1, 2, 3] | first }}{{ [1, 2, 3] | last }}",
        "[1, 2, 3] ['b', 'A'] [('a', 2), ('b', 1)] [2, 1] ['a', 'b'] 13")]
    [InlineData("{{ [3, 1, 2] | sort(reverse=true) }} {{ ['b', 'C', 'a'] | sort }} {{ [{'n': 2}, {'n': 1}] | sort(attribute='n') | map(attribute='n') | list }}", "[3, 2, 1] ['a', 'b', 'C'] [1, 2]")]
    [InlineData("{{ '42' | int + 1 }} {{ 'x' | int }} {{ '3.5' | float }} {{ -3 | abs }} {{ 2.567 | round(2) }} {{ 2.5 | round }} {{ 3.7 | int }} {{ 5 | string ~ 'x' }}", "43 0 3.5 3 2.57 2.0 3 5x")]
    [InlineData("{{ 'aaa' | replace('a', 'b', 2) }} {{ 'hello big world' | wordcount }} {{ [1, 2, 3] | count }} {{ [1, 2] | sum }} {{ [4, 2, 8] | max }}{{ [4, 2, 8] | min }}", "bba 3 3 3 82")]
    [InlineData("{{ 'a\nb\n\nc' | indent(2) }}|{{ 'a\nb' | indent(2, true) }}|{{ 'a\n\nb' | indent(2, blank=true) }}", "a\n  b\n\n  c|  a\n  b|a\n  \n  b")]
    [InlineData("{{ users | selectattr('active') | map(attribute='name') | join(', ') }}|{{ users | rejectattr('role', 'equalto', 'admin') | map(attribute='name') | list }}|{{ users | selectattr('role', '==', 'admin') | list | length }}",
        "ann, cy|['bob', 'cy']|1")]
    [InlineData("{{ [1, 2, 3, 4] | select('even') | list }} {{ [0, 1, '', 'a'] | reject | list }} {{ users | map(attribute='age', default=0) | list }}", "[2, 4] [0, ''] [30, 0, 0]")]
    [InlineData("{{ {'a': 1}.items() | list }} {{ {'a': 1}.keys() | list }} {{ {'a': 1}.values() | list }} {{ {'a': 1} | items | list }}", "[('a', 1)] ['a'] [1] [('a', 1)]")]
    [InlineData("{{ '<a href=\"x\">' | e }} {{ '<b>' | safe }} {{ 'x' | center(5) }}|{{ '%s-%d' | format('a', 3) }}", "&lt;a href=&#34;x&#34;&gt; <b>   x  |a-3")]
    // tojson as Python's json.dumps
    [InlineData("{{ {'a': [1, 2], 'b': 'é\"\\n'} | tojson }}", "{\"a\": [1, 2], \"b\": \"é\\\"\\n\"}")]
    [InlineData("{{ {'a': [1], 'e': {}, 'l': []} | tojson(indent=2) }}", "{\n  \"a\": [\n    1\n  ],\n  \"e\": {},\n  \"l\": []\n}")]
    [InlineData("{{ {'b': 1, 'a': 2} | tojson(sort_keys=true) }} {{ [1, {'a': 2}] | tojson(separators=(',', ':')) }} {{ [none, true, 1.5] | tojson }}", "{\"a\": 2, \"b\": 1} [1,{\"a\":2}] [null, true, 1.5]")]
    [InlineData("{{ 'é' | tojson(ensure_ascii=true) }} {{ '\\u0001' | tojson }}", "\"\\u00e9\" \"\\u0001\"")]
    // tests
    [InlineData("{{ x is defined }} {{ none is none }} {{ 'a' is string }} {{ 1 is number }} {{ 1 is integer }} {{ 1.0 is integer }} {{ {} is mapping }} {{ 'a' is iterable }} {{ 1 is iterable }} {{ true is boolean }}",
        "False True True True True False True True False True")]
    [InlineData("{{ 3 is odd }} {{ 4 is even }} {{ 2 is equalto 2 }} {{ 2 is not sameas none }} {{ 'A' is upper }} {{ [] is sequence }} {{ x is undefined }} {{ 1 is float }} {{ 9 is divisibleby 3 }} {{ 1 is in [1] }} {{ true is true }} {{ 0 is false }}",
        "True True True True True True True False True True True False")]
    // string, dict and list methods
    [InlineData("{{ 'a,b,,c'.split(',') }} {{ '  x  '.strip() }}|{{ 'xxhixx'.strip('x') }} {{ 'abc'.startswith('ab') }} {{ 'abc'.endswith(('x', 'c')) }} {{ 'a b  c'.split() }} {{ 'a b c'.split(' ', 1) }}",
        "['a', 'b', '', 'c'] x|hi True True ['a', 'b', 'c'] ['a', 'b c']")]
    [InlineData("{{ 'hello'.replace('l', 'L') }} {{ 'ab'.upper() }} {{ \"they're bill's\".title() }} {{ 'abcabc'.find('c') }} {{ 'abcabc'.count('b') }} {{ '{} and {name}'.format(1, name='x') }} {{ '\\n\\nx\\n'.lstrip('\\n') }}{{ 'x\\n'.rstrip() }}",
        "heLLo AB They'Re Bill'S 2 2 1 and x x\nx")]
    [InlineData("{% set l = [] %}{% do l.append(1) %}{% set _ = l.append(2) %}{{ l }} {{ l.pop() }}{{ l }}", "[1, 2] 2[1]")]
    [InlineData("{{ range(3) | list }} {{ range(1, 10, 3) | list }} {{ range(3, 0, -1) | list }} {{ dict(a=1, b=2) }}", "[0, 1, 2] [1, 4, 7] [3, 2, 1] {'a': 1, 'b': 2}")]
    [InlineData("{{ strftime_now('%d %b %Y') }} {{ strftime_now('%A %B %-d, %y %H:%M') }} {{ strftime_now('%Y-%m-%d') }}", "26 Jul 2024 Friday July 26, 24 00:00 2024-07-26")]
    // undefined: printable, falsy, iterable as empty, length 0
    [InlineData("[{{ x }}]{{ x is undefined }}{{ x | length }}{% for i in x %}no{% endfor %}{{ not x }}{{ x | list }}{{ x | join }}{{ x == x }}", "[]True0True[]True")]
    [InlineData("{{ messages[5] is defined }} {{ messages[0].nope is defined }} {{ 'z' in x }} {{ x | default(1) }}", "False False False 1")]
    public void Renders_as_jinja2(string template, string expected)
    {
        const string vars = """
            {"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo"}],
             "users": [{"name": "ann", "active": true, "role": "admin", "age": 30}, {"name": "bob", "active": false, "role": "user"},
                       {"name": "cy", "active": true, "role": "user"}]}
            """;
        Assert.Equal(expected, Render(template, vars));
    }
}
