//! `cargo run -p newsvault-clean --example clean_file -- FILE [URL]`: prints the sanitized
//! HTML and the plain text of an HTML fragment (a debugging aid).

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let Some(path) = args.get(1) else {
        eprintln!("usage: clean_file FILE [URL]");
        std::process::exit(64);
    };
    let html = std::fs::read_to_string(path).expect("read file");
    let url = args.get(2).map(|u| url::Url::parse(u).expect("URL"));
    let clean = newsvault_clean::sanitize(&html, url.as_ref());
    println!("{clean}\n----\n{}", newsvault_clean::text(&clean));
}
