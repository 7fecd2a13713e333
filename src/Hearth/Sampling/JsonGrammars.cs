namespace Hearth.Sampling;

/// <summary>
/// GBNF for JSON (RFC 8259). Whitespace between tokens is limited to one space or a newline plus up to 20 indent
/// characters, and numbers to 16 integer digits, so a constrained model cannot run on forever inside them.
/// </summary>
internal static class JsonGrammars
{
    /// <summary>Shared rules; <c>value</c> is any JSON value followed by optional whitespace.</summary>
    public const string Common = """
        value  ::= (object | array | string | number | "true" | "false" | "null") space
        object ::= "{" space ( string space ":" space value ( "," space string space ":" space value )* )? "}"
        array  ::= "[" space ( value ( "," space value )* )? "]"
        string ::= "\"" char* "\""
        char   ::= [^"\\\x00-\x1F] | "\\" ( ["\\/bfnrt] | "u" [0-9a-fA-F]{4} )
        number ::= "-"? ( "0" | [1-9] [0-9]{0,15} ) ( "." [0-9]{1,16} )? ( [eE] [-+]? [0-9]{1,3} )?
        space  ::= | " " | "\n" [ \t]{0,20}

        """;

    public const string AnyValue = "root ::= value\n" + Common;

    public const string AnyObject = "root ::= object space\n" + Common;
}
