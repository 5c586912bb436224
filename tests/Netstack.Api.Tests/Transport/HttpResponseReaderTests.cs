using System.Text;
using Netstack.Api.Client.Http;
using Xunit;

namespace Netstack.Api.Tests.Transport;

/// <summary>The HTTP/1.1 response parser on golden bytes: each framing, split reads, and every broken input it must name.</summary>
public sealed class HttpResponseReaderTests
{
    // Steps: the whole answer in one read, one byte per read (every delimiter split), and an odd size.
    public static TheoryData<int> Steps => new() { int.MaxValue, 1, 7 };

    private const string ContentLengthAnswer =
        "HTTP/1.1 201 Created\r\nContent-Type: application/json; charset=utf-8\r\nDate: Sun, 22 Nov 2026 05:00:00 GMT\r\n" +
        "Server: Kestrel\r\nContent-Length: 26\r\n\r\n{\"Id\":\"abc\",\"Warnings\":[]}";

    private const string ChunkedAnswer =
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n" +
        "5;name=value\r\nhello\r\n6\r\n world\r\n00\r\nX-Checksum: 1\r\n\r\n";

    [Theory]
    [MemberData(nameof(Steps))]
    public async Task ContentLength_GivesHeadAndExactBody(int step)
    {
        var (head, body) = await ReadAsync(ContentLengthAnswer, step);

        Assert.Equal(201, head.StatusCode);
        Assert.Equal("Created", head.Reason);
        Assert.Equal(BodyFraming.ContentLength, head.Framing);
        Assert.Equal(26, head.ContentLength);
        Assert.Equal("application/json; charset=utf-8", head.Header("content-type"));
        Assert.Equal(4, head.Headers.Count);
        Assert.Equal("{\"Id\":\"abc\",\"Warnings\":[]}", body);
    }

    [Theory]
    [MemberData(nameof(Steps))]
    public async Task Chunked_JoinsChunks_SkipsExtensionsAndTrailers(int step)
    {
        var (head, body) = await ReadAsync(ChunkedAnswer, step);

        Assert.Equal(BodyFraming.Chunked, head.Framing);
        Assert.Equal("hello world", body);
    }

    [Fact]
    public async Task Chunked_BigChunkInSmallReads_ArrivesWhole()
    {
        var payload = string.Concat(Enumerable.Range(0, 20_000).Select(i => (char)('a' + (i % 26))));
        var answer = $"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n{payload.Length:x}\r\n{payload}\r\n3\r\nend\r\n0\r\n\r\n";

        var (_, body) = await ReadAsync(answer, 1000, bufferSize: 16);

        Assert.Equal(payload + "end", body);
    }

    [Fact]
    public async Task ContentLength_BiggerThanOneExactArray_ArrivesWhole()
    {
        var payload = new string('z', 1536 * 1024);
        var answer = $"HTTP/1.1 200 OK\r\nContent-Length: {payload.Length}\r\n\r\n{payload}";

        var (_, body) = await ReadAsync(answer, 60_000);

        Assert.Equal(payload.Length, body.Length);
        Assert.Equal(payload, body);
    }

    [Fact]
    public async Task Chunked_ThroughBodyStream_LeavesNextBytesUnread()
    {
        // Bytes after the terminating empty line belong to no one here; the body must stop before them.
        var reader = new HttpResponseReader(new MemoryStream(Encoding.ASCII.GetBytes(ChunkedAnswer + "GARBAGE")));
        await reader.ReadHeadAsync(requestWasHead: false, CancellationToken.None);
        using var body = new HttpBodyStream(reader);

        var text = await new StreamReader(body).ReadToEndAsync();

        Assert.Equal("hello world", text);
        Assert.Equal(0, await body.ReadAsync(new byte[8]));
    }

    [Theory]
    [InlineData("HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n", false)]
    [InlineData("HTTP/1.1 304 Not Modified\r\n\r\n", false)]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n", true)]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", false)]
    public async Task NoBody_ReadsNothing(string answer, bool requestWasHead)
    {
        var reader = new HttpResponseReader(new MemoryStream(Encoding.ASCII.GetBytes(answer)));

        var head = await reader.ReadHeadAsync(requestWasHead, CancellationToken.None);

        Assert.Empty(await reader.ReadBodyToEndAsync(CancellationToken.None));
        Assert.True(head.Framing is BodyFraming.None || head.ContentLength == 0);
    }

    [Fact]
    public async Task InterimContinue_IsSkipped()
    {
        var (head, body) = await ReadAsync("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK", 3);

        Assert.Equal(200, head.StatusCode);
        Assert.Equal("OK", body);
    }

    [Fact]
    public async Task NeitherLengthNorChunked_BodyRunsToClose()
    {
        var (head, body) = await ReadAsync("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nall of it", 4);

        Assert.Equal(BodyFraming.UntilClose, head.Framing);
        Assert.Equal("all of it", body);
    }

    [Fact]
    public async Task TransferEncoding_OverridesContentLength()
    {
        var (head, body) = await ReadAsync("HTTP/1.1 200 OK\r\nContent-Length: 99\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n", int.MaxValue);

        Assert.Equal(BodyFraming.Chunked, head.Framing);
        Assert.Equal("hi", body);
    }

    [Fact]
    public async Task ErrorStatus_KeepsItsBody()
    {
        var (head, body) = await ReadAsync("HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: 37\r\n\r\n{\"message\":\"no such container: web1\"}", 5);

        Assert.Equal(404, head.StatusCode);
        Assert.Equal("{\"message\":\"no such container: web1\"}", body);
    }

    [Theory]
    [InlineData("", "the connection closed before any answer")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Le", "the connection closed inside the response head (27 bytes of it read)")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", "the connection closed after 3 of the 10 body bytes its Content-Length announced")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\na\r\nabc", "the connection closed inside a chunk (3 of its 10 bytes)")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n", "the connection closed inside a chunk-size line (0 bytes of it read)")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcXY\r\n0\r\n\r\n", "a chunk of 3 bytes is not followed by CRLF: \"XY\"")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "the response has a malformed chunk size \"zz\"")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\n", "the response has a malformed chunk size \"\"")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-Trailer: 1\r\n", "the connection closed inside the trailers after the last chunk (0 bytes of it read)")]
    [InlineData("SSH-2.0-OpenSSH_9.2\r\n\r\n", "the response does not start with an HTTP/1.x status line: \"SSH-2.0-OpenSSH_9.2\"")]
    [InlineData("HTTP/2 200\r\n\r\n", "the response does not start with an HTTP/1.x status line: \"HTTP/2 200\"")]
    [InlineData("HTTP/1.1 2x0 OK\r\n\r\n", "the response does not start with an HTTP/1.x status line: \"HTTP/1.1 2x0 OK\"")]
    [InlineData("HTTP/1.1 099 Odd\r\n\r\n", "the response's status code 099 is not between 100 and 999")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: ten\r\n\r\n", "the response's Content-Length \"ten\" is not a number of bytes")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "the response's Content-Length \"-1\" is not a number of bytes")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n", "the response has two different Content-Length headers (2 and 3)")]
    [InlineData("HTTP/1.1 200 OK\r\nX-A: 1\r\n  folded\r\n\r\n", "the response folds a header line (obsolete in HTTP/1.1): \"  folded\"")]
    [InlineData("HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", "the response has a malformed header line: \"no colon here\"")]
    [InlineData("HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n", "the response has a malformed header line: \"Bad Name: x\"")]
    [InlineData("HTTP/1.1 200 OK\r\n\x01\r\n\r\n", "the response has a malformed header line: \"\\x01\"")]
    public async Task BrokenAnswer_IsAProtocolErrorSayingWhat(string answer, string message)
    {
        foreach (var step in new[] { int.MaxValue, 1 })
        {
            var error = await Assert.ThrowsAsync<HttpFramingException>(() => ReadAsync(answer, step));

            Assert.Equal(message, error.Message);
        }
    }

    [Fact]
    public async Task EndlessHead_IsRefusedAtTheLimit()
    {
        var answer = "HTTP/1.1 200 OK\r\n" + string.Concat(Enumerable.Repeat("X-Filler: 0123456789abcdef\r\n", 5000));

        var error = await Assert.ThrowsAsync<HttpFramingException>(() => ReadAsync(answer, 4096));

        Assert.Equal($"the response head is longer than {HttpResponseReader.MaxHeadLength} bytes", error.Message);
    }

    private static async Task<(HttpResponseHead Head, string Body)> ReadAsync(string answer, int step, int bufferSize = 4096)
    {
        var reader = new HttpResponseReader(new ChunkedStream(Encoding.Latin1.GetBytes(answer), step), bufferSize);
        var head = await reader.ReadHeadAsync(requestWasHead: false, CancellationToken.None);
        var body = await reader.ReadBodyToEndAsync(CancellationToken.None);
        return (head, Encoding.UTF8.GetString(body));
    }
}
