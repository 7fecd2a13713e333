using System.CommandLine;
using System.Globalization;
using System.Text;
using Hearth.Gguf;
using Hearth.Tokenization;

namespace Hearth.Cli.Commands;

/// <summary>
/// <c>hearth tokenize -m FILE (--text TEXT | --file PATH) [--no-bos] [--special] [--json]</c>: the token ids of a text
/// with a model's (or a vocabulary-only GGUF's, or a tokenizer.json's) vocabulary. As llama.cpp's tokenize tool,
/// special tokens are added when the vocabulary adds BOS and --no-bos is not given.
/// </summary>
internal static class TokenizeCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model", "-m") { Description = "GGUF model or vocabulary file (or a Hugging Face tokenizer.json), or ORG/REPO[:QUANT] from Hugging Face", Required = true };
        var noPull = ModelSource.NoPullOption();
        var text = new Option<string?>("--text", "-p") { Description = "Text to tokenize" };
        var file = new Option<string?>("--file", "-f") { Description = "Tokenize this file's contents (UTF-8)" };
        var noBos = new Option<bool>("--no-bos") { Description = "Do not add BOS/EOS even if the vocabulary asks for them" };
        var special = new Option<bool>("--special") { Description = "Recognise control-token text such as <s> or <|im_start|>" };
        var json = new Option<bool>("--json") { Description = "Print {\"tokens\":[...]} on one line" };
        var cmd = new Command("tokenize", "Tokenize text with a model's vocabulary.") { model, text, file, noBos, special, json, noPull };
        cmd.SetAction(parse => CliErrors.Run(() =>
        {
            string? t = parse.GetValue(text), f = parse.GetValue(file);
            if ((t == null) == (f == null)) throw new ArgumentException("Give the text to tokenize with exactly one of --text or --file.");
            string input = t ?? Encoding.UTF8.GetString(File.ReadAllBytes(f!));
            var tokenizer = Load(ModelSource.Resolve(parse.GetValue(model), parse.GetValue(noPull))!);
            bool addSpecial = tokenizer.AddBos && !parse.GetValue(noBos);
            int[] ids = tokenizer.Encode(input, addSpecial, parse.GetValue(special));
            var output = new StringBuilder();
            if (parse.GetValue(json))
            {
                output.Append("{\"tokens\":[");
                for (int i = 0; i < ids.Length; i++)
                {
                    if (i > 0) output.Append(',');
                    output.Append(ids[i].ToString(CultureInfo.InvariantCulture));
                }
                output.Append("]}\n");
            }
            else
            {
                foreach (int id in ids)
                    output.Append(id.ToString(CultureInfo.InvariantCulture)).Append(" '").Append(Escape(Encoding.UTF8.GetString(tokenizer.TokenBytes(id)))).Append("'\n");
            }
            using var stdout = Console.OpenStandardOutput();
            stdout.Write(Encoding.UTF8.GetBytes(output.ToString()));
            return 0;
        }));
        return cmd;
    }

    private static Tokenizer Load(string path)
    {
        if (path.EndsWith(".json", StringComparison.OrdinalIgnoreCase)) return Tokenizer.FromTokenizerJson(path);
        using var gguf = GgufFile.Open(path);
        return Tokenizer.FromGguf(gguf);
    }

    /// <summary>Keeps one token per line: control characters and backslashes are written as escapes.</summary>
    private static string Escape(string piece)
    {
        var sb = new StringBuilder(piece.Length);
        foreach (char c in piece)
        {
            switch (c)
            {
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (char.IsControl(c)) sb.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
                    else sb.Append(c);
                    break;
            }
        }
        return sb.ToString();
    }
}
