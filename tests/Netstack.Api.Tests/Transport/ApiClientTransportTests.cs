using System.Net;
using Netstack.Api.Client;
using Netstack.Api.Contracts.Containers;
using Xunit;

namespace Netstack.Api.Tests.Transport;

/// <summary>
/// ApiClient over its own HTTP/1.1 transport, against canned answers on a real unix socket; every
/// case both with async socket calls (in-process users) and blocking ones (the CLI process).
/// </summary>
public sealed class ApiClientTransportTests
{
    public static TheoryData<bool> Modes => new() { false, true };

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task CreateContainer_SendsOneWellFormedRequest_ReadsTheAnswer(bool blockingIo)
    {
        await using var server = new CannedServer(
            "HTTP/1.1 201 Created\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: 40\r\n\r\n{\"Id\":\"0123abcd\",\"Warnings\":[\"careful\"]}");
        using var client = new ApiClient(DaemonAddress.Parse(server.Uri), blockingIo: blockingIo);

        var created = await client.CreateContainerAsync("web 1", new ContainerCreateRequest { Image = "busybox", Cmd = ["sleep", "1"] });

        Assert.Equal("0123abcd", created.Id);
        Assert.Equal(["careful"], created.Warnings);
        var request = Assert.Single(server.Requests);
        var head = request[..request.IndexOf("\r\n\r\n", StringComparison.Ordinal)];
        var body = request[(head.Length + 4)..];
        Assert.StartsWith("POST /v1.41/containers/create?name=web%201 HTTP/1.1\r\nHost: netstack\r\nConnection: close\r\nContent-Type: application/json\r\n", head, StringComparison.Ordinal);
        Assert.Contains($"Content-Length: {body.Length}", head, StringComparison.Ordinal);
        Assert.Contains("\"Image\":\"busybox\"", body, StringComparison.Ordinal);
        Assert.Contains("\"Cmd\":[\"sleep\",\"1\"]", body, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task ErrorAnswer_BecomesApiExceptionWithTheDaemonsMessageAndStatus(bool blockingIo)
    {
        await using var server = new CannedServer(
            "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: 39\r\n\r\n{\"message\":\"No such container: nosuch\"}",
            "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 9\r\n\r\nit broke\n",
            "HTTP/1.1 409 Conflict\r\nTransfer-Encoding: chunked\r\n\r\n1a\r\n{\"message\":\"name in use\"}\n\r\n0\r\n\r\n");
        using var client = new ApiClient(DaemonAddress.Parse(server.Uri), blockingIo: blockingIo);

        var notFound = await Assert.ThrowsAsync<ApiException>(() => client.StartContainerAsync("nosuch"));
        var fault = await Assert.ThrowsAsync<ApiException>(() => client.InspectContainerAsync("x"));
        var conflict = await Assert.ThrowsAsync<ApiException>(() => client.RemoveContainerAsync("x", force: true));

        Assert.Equal((HttpStatusCode.NotFound, "No such container: nosuch"), (notFound.StatusCode, notFound.Message));
        Assert.Equal((HttpStatusCode.InternalServerError, "it broke"), (fault.StatusCode, fault.Message));
        Assert.Equal((HttpStatusCode.Conflict, "name in use"), (conflict.StatusCode, conflict.Message));
        Assert.StartsWith("POST /v1.41/containers/nosuch/start HTTP/1.1\r\n", server.Requests[0], StringComparison.Ordinal);
        Assert.StartsWith("DELETE /v1.41/containers/x?force=1 HTTP/1.1\r\n", server.Requests[2], StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task AnswerCutShort_IsAnApiExceptionNamingTheRequest(bool blockingIo)
    {
        await using var server = new CannedServer("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"Id\":");
        using var client = new ApiClient(DaemonAddress.Parse(server.Uri), blockingIo: blockingIo);

        var error = await Assert.ThrowsAsync<ApiException>(() => client.InspectContainerAsync("web"));

        Assert.Null(error.StatusCode);
        Assert.Equal($"netstackd at {server.Uri} broke off its answer to /v1.41/containers/web/json: the connection closed after 6 of the 100 body bytes its Content-Length announced", error.Message);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task NoAnswerAtAll_IsAnApiExceptionNamingTheRequest(bool blockingIo)
    {
        await using var server = new CannedServer();
        using var client = new ApiClient(DaemonAddress.Parse(server.Uri), blockingIo: blockingIo);

        var error = await Assert.ThrowsAsync<ApiException>(() => client.VersionAsync());

        Assert.Null(error.StatusCode);
        Assert.Equal($"netstackd at {server.Uri} broke off its answer to /v1.41/version: the connection closed before any answer", error.Message);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task NoSocket_SaysSoAndAsksWhetherTheDaemonRuns(bool blockingIo)
    {
        var path = Path.Combine(Path.GetTempPath(), "nst-nosock-" + Guid.NewGuid().ToString("N")[..8] + ".sock");
        using var client = new ApiClient(DaemonAddress.Parse("unix://" + path), blockingIo: blockingIo);

        var error = await Assert.ThrowsAsync<ApiException>(() => client.PingAsync());

        Assert.Null(error.StatusCode);
        Assert.Equal($"cannot connect to netstackd at unix://{path}: no such socket. Is the daemon running?", error.Message);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Logs_ChunkedMultiplexedStream_IsSplitIntoStdoutAndStderr(bool blockingIo)
    {
        // Two engine frames (8-byte header: stream, 0, 0, 0, big-endian length) across three HTTP chunks.
        var frames = "\u0001\0\0\0\0\0\0\u0003out\u0002\0\0\0\0\0\0\u0003err";
        var answer = "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream\r\nTransfer-Encoding: chunked\r\n\r\n" +
            $"5\r\n{frames[..5]}\r\n9\r\n{frames[5..14]}\r\n{frames.Length - 14:x}\r\n{frames[14..]}\r\n0\r\n\r\n";
        await using var server = new CannedServer(answer);
        using var client = new ApiClient(DaemonAddress.Parse(server.Uri), blockingIo: blockingIo);
        using var stdout = new MemoryStream();
        using var stderr = new MemoryStream();

        await client.LogsAsync("web", follow: true, stdout, stderr);

        Assert.Equal("out", System.Text.Encoding.ASCII.GetString(stdout.ToArray()));
        Assert.Equal("err", System.Text.Encoding.ASCII.GetString(stderr.ToArray()));
        Assert.StartsWith("GET /v1.41/containers/web/logs?stdout=1&stderr=1&follow=1 HTTP/1.1\r\n", Assert.Single(server.Requests), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task ImportImage_StreamOfUnknownLength_GoesOutChunked(bool blockingIo)
    {
        await using var server = new CannedServer(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" +
            "2b\r\n{\"status\":\"sha256:feed\"}\n{\"status\":\"done\"}\n\r\n0\r\n\r\n");
        using var client = new ApiClient(DaemonAddress.Parse(server.Uri), blockingIo: blockingIo);
        var tarball = new ChunkedStream(System.Text.Encoding.ASCII.GetBytes("pretend-tarball"), 4);

        var id = await client.ImportImageAsync(tarball, "busybox", "latest");

        Assert.Equal("done", id);
        var request = Assert.Single(server.Requests);
        Assert.Contains("Content-Type: application/x-tar\r\nTransfer-Encoding: chunked\r\n\r\n", request, StringComparison.Ordinal);
        Assert.EndsWith("\r\n\r\n4\r\npret\r\n4\r\nend-\r\n4\r\ntarb\r\n3\r\nall\r\n0\r\n\r\n", request, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task FollowedLogs_EndOnCancellation(bool blockingIo)
    {
        // A daemon that sends the head and then nothing, as a quiet container's followed log does.
        await using var server = new CannedServer("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", holdOpen: true);
        using var client = new ApiClient(DaemonAddress.Parse(server.Uri), blockingIo: blockingIo);
        using var cancel = new CancellationTokenSource();
        using var sink = new MemoryStream();

        var logs = Task.Run(() => client.LogsAsync("quiet", follow: true, sink, sink, cancel.Token));
        await server.AnsweredAsync();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => logs);
    }
}
