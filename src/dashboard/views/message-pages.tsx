import { Layout } from './layout';

/** Sign-in with the dashboard's token (REPLICA_FLEET_UI_TOKEN); nothing else shows before it. */
export function LoginPage(props: { next: string; problem?: string }) {
  return (
    <Layout title="Sign in">
      <h1>Sign in</h1>
      <p>
        This dashboard is reachable from other machines: give the token it was started with
        (REPLICA_FLEET_UI_TOKEN).
      </p>
      {props.problem && (
        <p class="warning" role="alert">
          {props.problem}
        </p>
      )}
      <form method="post" action="/login" class="confirm">
        <input type="hidden" name="next" value={props.next} />
        <label>
          Token <input type="password" name="token" autocomplete="current-password" required autofocus />
        </label>
        <div class="buttons">
          <button type="submit" class="primary">
            Sign in
          </button>
        </div>
      </form>
    </Layout>
  );
}

/** A page that could not be shown: what went wrong and what to do. */
export function ProblemPage(props: { title: string; message: string; signedIn?: boolean }) {
  return (
    <Layout title={props.title}>
      <h1>{props.title}</h1>
      <p class="warning" role="alert">
        {props.message}
      </p>
      <p>
        <a href="/">All campaigns</a>
      </p>
    </Layout>
  );
}
