// Hearth sample: load a GGUF model and stream a completion.
//   dotnet run --project samples/Hearth.Sample -- [MODEL.gguf] [PROMPT]
// Without a model path it uses the tiny stories260K test model from ../shared/testdata when present.
using Hearth;
using Hearth.Sampling;

string? path = args.Length > 0 ? args[0] : FindTestModel();
if (path is null || !File.Exists(path))
{
    Console.Error.WriteLine("usage: Hearth.Sample MODEL.gguf [PROMPT]");
    return 2;
}
string prompt = args.Length > 1 ? args[1] : "Once upon a time";

using var model = Model.Load(path);
using var session = model.CreateSession(contextSize: 512);
var options = new GenerationOptions { MaxTokens = 48, Sampling = SamplerOptions.Greedy };

Console.Write(prompt);
await foreach (var token in session.GenerateAsync(prompt, options))
{
    Console.Write(token.Text);
}
Console.WriteLine();
Console.WriteLine($"[{session.Position} tokens in the session]");
return 0;

static string? FindTestModel()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
    {
        foreach (var candidate in new[] { Path.Combine(dir.FullName, "shared", "testdata", "gguf", "stories260K.gguf"),
                                          Path.Combine(dir.FullName, "..", "shared", "testdata", "gguf", "stories260K.gguf") })
        {
            if (File.Exists(candidate)) return Path.GetFullPath(candidate);
        }
    }
    return null;
}
