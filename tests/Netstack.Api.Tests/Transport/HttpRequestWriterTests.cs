using System.Text;
using Netstack.Api.Client.Http;
using Xunit;

namespace Netstack.Api.Tests.Transport;

public sealed class HttpRequestWriterTests
{
    [Fact]
    public void JsonPost_HasTypeAndLength()
    {
        var head = HttpRequestWriter.Head(new HttpRequest("POST", "/v1.41/containers/create?name=web") { ContentType = "application/json" }, 42);

        Assert.Equal(
            "POST /v1.41/containers/create?name=web HTTP/1.1\r\nHost: netstack\r\nConnection: close\r\n" +
            "Content-Type: application/json\r\nContent-Length: 42\r\n\r\n",
            Encoding.ASCII.GetString(head));
    }

    [Fact]
    public void GetWithoutBody_HasNoFraming_PostWithoutBody_SaysZero()
    {
        var get = Encoding.ASCII.GetString(HttpRequestWriter.Head(new HttpRequest("GET", "/v1.41/version"), 0));
        var post = Encoding.ASCII.GetString(HttpRequestWriter.Head(new HttpRequest("POST", "/v1.41/containers/abc/start"), 0));

        Assert.Equal("GET /v1.41/version HTTP/1.1\r\nHost: netstack\r\nConnection: close\r\n\r\n", get);
        Assert.Equal("POST /v1.41/containers/abc/start HTTP/1.1\r\nHost: netstack\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", post);
    }

    [Fact]
    public void UnknownLength_IsChunked()
    {
        var head = Encoding.ASCII.GetString(HttpRequestWriter.Head(new HttpRequest("POST", "/v1.41/images/create?fromSrc=-") { ContentType = "application/x-tar" }, null));

        Assert.EndsWith("Content-Type: application/x-tar\r\nTransfer-Encoding: chunked\r\n\r\n", head, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GET", "/v1.41/containers/a b/json", "request target \"/v1.41/containers/a b/json\" is not an encoded absolute path")]
    [InlineData("GET", "/v1.41/x\r\nX-Evil: 1", "request target \"/v1.41/x\r\nX-Evil: 1\" is not an encoded absolute path")]
    [InlineData("GET", "v1.41/version", "request target \"v1.41/version\" is not an encoded absolute path")]
    [InlineData("get", "/v1.41/version", "invalid HTTP method \"get\"")]
    public void UnsafeRequestLine_IsRefused(string method, string target, string message)
    {
        var error = Assert.Throws<ArgumentException>(() => HttpRequestWriter.Head(new HttpRequest(method, target), 0));

        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }
}
