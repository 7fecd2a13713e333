namespace Hearth.Sampling;

/// <summary>
/// A context-free grammar that constrains generated text: parsed from llama.cpp's GBNF format, compiled from a
/// JSON Schema, or the built-in "any JSON". Immutable and thread-safe; use it in <see cref="SamplerOptions.Grammar"/>.
/// </summary>
public sealed class Grammar
{
    private static readonly Lazy<Grammar> AnyJsonGrammar = new(() => Parse(JsonGrammars.AnyValue));
    private static readonly Lazy<Grammar> JsonObjectGrammar = new(() => Parse(JsonGrammars.AnyObject));

    internal Grammar(string source, GrammarElement[] elements, int[][] altStarts, CharClass[] classes, string[] ruleNames, int root)
    {
        Source = source;
        Elements = elements;
        AltStarts = altStarts;
        Classes = classes;
        RuleNames = ruleNames;
        Root = root;
    }

    /// <summary>The GBNF text this grammar was parsed from.</summary>
    public string Source { get; }

    /// <summary>All rules' elements back to back; a rule's alternatives end in Alt, its last one in End.</summary>
    internal GrammarElement[] Elements { get; }

    /// <summary>Per rule, the element index where each alternative starts.</summary>
    internal int[][] AltStarts { get; }

    internal CharClass[] Classes { get; }

    /// <summary>Rule names, including generated ones (<c>name_N</c>) for groups and repetitions.</summary>
    internal string[] RuleNames { get; }

    internal int Root { get; }

    /// <summary>Parses GBNF text; errors name the line and column (<see cref="GrammarFormatException"/>).</summary>
    public static Grammar Parse(string gbnf, string rootRule = "root") => GbnfParser.Parse(gbnf, rootRule);

    /// <summary>Compiles a JSON Schema (the commonly used subset; unsupported keywords are errors) to a grammar.</summary>
    public static Grammar FromJsonSchema(string jsonSchema) => Parse(JsonSchemaToGbnf.Convert(jsonSchema));

    /// <summary>Any JSON value (object, array, string, number, true, false, null).</summary>
    public static Grammar AnyJson => AnyJsonGrammar.Value;

    /// <summary>Any JSON object (what OpenAI's <c>response_format: json_object</c> promises).</summary>
    public static Grammar JsonObject => JsonObjectGrammar.Value;
}
