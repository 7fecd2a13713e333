using Hearth.Gguf;

namespace Hearth.Cli.Commands;

/// <summary>
/// Turns the engine's typed errors into one actionable line on stderr and a non-zero exit code. A runtime-generic
/// exception (an index out of range, a null reference) is a bug, not a user error: it is reported as one, with its type,
/// rather than as a bare runtime message or a stack trace.
/// </summary>
internal static class CliErrors
{
    /// <summary>Exit code of an internal error (sysexits' EX_SOFTWARE).</summary>
    public const int InternalError = 70;

    public static int Run(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception e) when (IsUserError(e))
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Console.Error.WriteLine($"error: internal error ({e.GetType().Name}): {e.Message} This is a bug in Hearth; please report it with the command and the model file.");
            return InternalError;
        }
    }

    /// <summary>The engine's typed errors and the I/O and argument errors whose messages are written for users.</summary>
    private static bool IsUserError(Exception e) =>
        e is GgufFormatException or ModelMemoryException or FileNotFoundException or NotSupportedException
            or InvalidDataException or IOException or InvalidOperationException or FormatException or Chat.JinjaException
            or UnauthorizedAccessException or Hub.HubException
        || (e is ArgumentException && e is not ArgumentOutOfRangeException and not ArgumentNullException);
}
