using Hearth.Server.Protocol;

namespace Hearth.Server.Endpoints;

/// <summary>A request the server refuses, with the status code and OpenAI error fields to answer with.</summary>
internal sealed class ApiError : Exception
{
    public ApiError(int status, string message, string? param = null, string? code = null, string? type = null)
        : base(message)
    {
        Status = status;
        Param = param;
        Code = code;
        Type = type ?? status switch
        {
            401 => "authentication_error",
            404 => "invalid_request_error",
            413 => "invalid_request_error",
            429 or 503 => "server_error",
            >= 500 => "server_error",
            _ => "invalid_request_error",
        };
    }

    public ApiError()
        : this(500, "Internal error.")
    {
    }

    public ApiError(string message)
        : this(400, message)
    {
    }

    public ApiError(string message, Exception innerException)
        : base(message, innerException)
    {
        Status = 400;
        Type = "invalid_request_error";
    }

    public int Status { get; }

    public string? Param { get; }

    public string? Code { get; }

    public string Type { get; }

    public ErrorResponse ToResponse() => new() { Error = new ErrorBody { Message = Message, Type = Type, Param = Param, Code = Code } };

    public static ApiError BadParam(string param, string message, string code = "invalid_value") => new(400, message, param, code);

    public static ApiError Missing(string param) => new(400, $"Missing required parameter: '{param}'.", param, "missing_required_parameter");
}
