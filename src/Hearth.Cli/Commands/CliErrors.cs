using Hearth.Gguf;

namespace Hearth.Cli.Commands;

/// <summary>Turns the engine's typed errors into one actionable line on stderr and a non-zero exit code.</summary>
internal static class CliErrors
{
    public static int Run(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception e) when (e is GgufFormatException or ModelMemoryException or FileNotFoundException or NotSupportedException
                                      or InvalidDataException or ArgumentException or IOException or InvalidOperationException
                                      or FormatException or Chat.JinjaException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }
}
