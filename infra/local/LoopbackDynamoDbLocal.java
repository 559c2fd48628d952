// Starts DynamoDB Local listening on 127.0.0.1 only. Its own main() binds every interface and has no
// option to choose one, so this builds the server the same way (same command-line arguments) and
// binds its Jetty connector to the loopback address before starting it. Run as a single source
// file (java LoopbackDynamoDbLocal.java ...), so nothing has to be compiled ahead of time.
// It also exits when its standard input ends: the stack holds the other end of that pipe, so a stack
// killed outright (SIGKILL, nothing of it left to stop Java) still takes DynamoDB Local with it.
import java.lang.reflect.Field;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

public class LoopbackDynamoDbLocal {
  public static void main(String[] args) throws Exception {
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
    Field field = DynamoDBProxyServer.class.getDeclaredField("server");
    field.setAccessible(true);
    Server jetty = (Server) field.get(proxy);
    for (Connector c : jetty.getConnectors()) ((ServerConnector) c).setHost("127.0.0.1");
    try {
      proxy.start();
    } catch (Exception e) {
      // Jetty's threads would keep the JVM alive without a listener; exit so the stack sees why.
      e.printStackTrace();
      System.exit(1);
    }
    Thread watch = new Thread(() -> {
      try {
        while (System.in.read() != -1) {
          // nothing is sent; only the end of the stream matters
        }
      } catch (java.io.IOException e) {
        // a broken pipe is the same news as its end
      }
      System.exit(0);
    });
    watch.setDaemon(true);
    watch.start();
  }
}
